// CSV as RFC 4180 defines it: fields separated by commas, records ended by
// CRLF, and a field quoted (its quotes doubled) when it holds a comma, a
// quote, CR or LF. Every CSV the tools print goes through csv_record, which
// also makes each cell safe to open in a spreadsheet and to print:
// - a cell starting with =, +, -, @, tab or CR gets a leading ' so that a
//   spreadsheet shows it as text instead of running it as a formula (the
//   numbers we write, amounts and ids, are never negative, so no number is
//   touched);
// - control characters other than tab, CR and LF are escaped as printable()
//   does.
#pragma once

#include <string>
#include <vector>

namespace ticket::cli {

// One record with its CRLF.
std::string csv_record(const std::vector<std::string>& fields);

}  // namespace ticket::cli
