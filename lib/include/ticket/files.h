// Files the tools write for others to read (images, revocation lists,
// reports) and
// small files they read whole.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ticket/error.h"

namespace ticket {

// Writes `bytes` to a temporary file beside `path` (mode 0644) and renames
// it over `path`, so a reader never sees half a file. kInvalid naming the
// path when it cannot be written.
Status replace_file(const std::string& path, std::string_view bytes);

// The whole of the regular file `path` ("what" names it in errors), at most
// `limit` bytes; kInvalid when it cannot be read or is larger.
Result<std::string> read_whole_file(const std::string& path, const std::string& what, size_t limit);

}  // namespace ticket
