#include "common/table.h"

#include <algorithm>

#include "ticket/text.h"

namespace ticket::cli {
namespace {

// Display width of UTF-8 text (code points; good enough for names).
size_t display_width(const std::string& s) { return utf8_length(s); }

std::vector<std::string> printable_cells(std::vector<std::string> cells) {
  for (std::string& cell : cells) cell = printable(cell);
  return cells;
}

}  // namespace

Table::Table(std::vector<std::string> header) : header_(printable_cells(std::move(header))) {}

void Table::add(std::vector<std::string> row) { rows_.push_back(printable_cells(std::move(row))); }

void Fields::add(const std::string& key, const std::string& value) {
  rows_.emplace_back(printable(key), printable(value));
}

std::string Table::str() const {
  std::vector<size_t> widths(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  };
  measure(header_);
  for (const auto& r : rows_) measure(r);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - display_width(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(header_);
  for (const auto& r : rows_) emit(r);
  return out;
}

std::string Fields::str() const {
  size_t width = 0;
  for (const auto& [k, v] : rows_) width = std::max(width, display_width(k));
  std::string out;
  for (const auto& [k, v] : rows_) {
    out += k + ":";
    out.append(width - display_width(k) + 2, ' ');
    out += v + "\n";
  }
  return out;
}

}  // namespace ticket::cli
