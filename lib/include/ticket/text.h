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

// `s` made safe to show on a terminal: control characters (C0, DEL, C1) and
// the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069)
// become escapes (ESC as \x1B, U+0085 as \u{85}, U+202E as \u{202E}), and
// bytes that are not UTF-8 become \xNN. The ASCII control characters in
// `keep` (e.g. "\n" for text of several lines) pass through. Backslashes are
// left alone, so printable(printable(s)) == printable(s).
std::string printable(std::string_view s, std::string_view keep = {});

// True when `s` is valid UTF-8 without control characters (C0, DEL, C1).
bool is_printable_utf8(std::string_view s);

// Number of code points in valid UTF-8.
size_t utf8_length(std::string_view s);

// `s` cut to at most `max_chars` characters (UTF-8 sequences kept whole).
std::string clip_utf8(std::string_view s, size_t max_chars);

// A whole decimal number in [min, max], digits only (no sign, no spaces);
// nullopt otherwise.
std::optional<int64_t> parse_int(std::string_view s, int64_t min, int64_t max);

std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);

// Bytes as lower-case hexadecimal, two digits a byte.
std::string to_hex(std::string_view bytes);

}  // namespace ticket
