#pragma once

#include <string_view>

namespace ticket {

// "0.1.0"
std::string_view version();

}  // namespace ticket
