// CSV as RFC 4180 defines it: fields separated by commas, records ended by
// CRLF, and a field quoted (its quotes doubled) when it holds a comma, a
// quote, CR or LF.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ticket::cli {

// One field, quoted when it must be.
std::string csv_field(std::string_view value);

// One record with its CRLF.
std::string csv_record(const std::vector<std::string>& fields);

}  // namespace ticket::cli
