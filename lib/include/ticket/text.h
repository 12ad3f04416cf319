// Small text checks and the quoting of user input inside error messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ticket {

// `s` for an error message: in single quotes, control and non-UTF-8 bytes
// escaped, cut to about 40 characters so that a 10 MB argument still gives a
// one-line message.
std::string quote(std::string_view s);

// True when `s` is valid UTF-8 without control characters (C0, DEL, C1).
bool is_printable_utf8(std::string_view s);

// Number of code points in valid UTF-8.
size_t utf8_length(std::string_view s);

// A whole decimal number in [min, max], digits only (no sign, no spaces);
// nullopt otherwise.
std::optional<int64_t> parse_int(std::string_view s, int64_t min, int64_t max);

std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);

}  // namespace ticket
