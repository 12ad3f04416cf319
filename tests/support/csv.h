// Reading back the CSV the tools print, for the listing tests.
#pragma once

#include <string>
#include <vector>

namespace ticket::testing {

using CsvRows = std::vector<std::vector<std::string>>;

// RFC 4180: records end with CRLF (a lone LF is accepted too); a field in
// quotes may hold commas, quotes (doubled) and line breaks. Fails the test
// on anything malformed.
CsvRows parse_csv(const std::string& text);

}  // namespace ticket::testing
