// Aligned text tables for human output. Every cell, key and value is passed
// through printable() (line breaks too), so stored text cannot break the
// layout or drive the terminal.
#pragma once

#include <string>
#include <vector>

namespace ticket::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header);
  void add(std::vector<std::string> row);
  bool empty() const { return rows_.empty(); }
  // Columns padded to their widest cell, two spaces apart; no trailing blanks.
  std::string str() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// "Key:   value" lines with the values aligned.
class Fields {
 public:
  void add(const std::string& key, const std::string& value);
  std::string str() const;

 private:
  std::vector<std::pair<std::string, std::string>> rows_;
};

}  // namespace ticket::cli
