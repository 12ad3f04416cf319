#include "support/csv.h"

#include <gtest/gtest.h>

namespace ticket::testing {

CsvRows parse_csv(const std::string& text) {
  CsvRows rows;
  std::vector<std::string> record;
  std::string field;
  size_t i = 0;
  bool quoted = false, field_started = false;
  auto end_field = [&] {
    record.push_back(field);
    field.clear();
    field_started = false;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        ++i;
        const char next = i < text.size() ? text[i] : '\n';
        EXPECT_TRUE(next == ',' || next == '\r' || next == '\n')
            << "text after a closing quote at " << i;
        continue;
      }
      field += c;
      ++i;
      continue;
    }
    if (c == '"') {
      EXPECT_FALSE(field_started) << "quote inside an unquoted field at " << i;
      quoted = field_started = true;
      ++i;
    } else if (c == ',') {
      end_field();
      ++i;
    } else if (c == '\r' || c == '\n') {
      EXPECT_TRUE(c == '\n' || (i + 1 < text.size() && text[i + 1] == '\n')) << "lone CR at " << i;
      end_field();
      rows.push_back(std::move(record));
      record.clear();
      i += c == '\r' ? 2 : 1;
    } else {
      EXPECT_NE(c, '\n');
      field += c;
      field_started = true;
      ++i;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quoted field";
  if (!field.empty() || !record.empty()) {
    end_field();
    rows.push_back(std::move(record));
  }
  return rows;
}

}  // namespace ticket::testing
