#include "common/csv.h"

#include <string_view>

#include "ticket/text.h"

namespace ticket::cli {
namespace {

bool starts_formula(std::string_view value) {
  return !value.empty() &&
         std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos;
}

// One field, neutralised and escaped, quoted when it must be.
std::string csv_field(std::string_view value) {
  std::string cell = (starts_formula(value) ? "'" : "") + printable(value, "\t\r\n");
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  out += "\r\n";
  return out;
}

}  // namespace ticket::cli
