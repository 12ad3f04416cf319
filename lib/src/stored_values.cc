#include "stored_values.h"

#include <cppconn/resultset_metadata.h>

#include <optional>

#include "ticket/concerts.h"
#include "ticket/text.h"

namespace ticket {
namespace {

Error not_a(sql::ResultSet& rs, int column, const std::string& text, const char* what) {
  const auto index = static_cast<unsigned int>(column);
  return internal("MySQL holds " + quote(text) + " in column " +
                  std::string(rs.getMetaData()->getColumnLabel(index)) + ", which is not " + what);
}

template <class T>
Result<T> stored(sql::ResultSet& rs, int column, std::optional<T> (*parse)(std::string_view),
                 const char* what) {
  const std::string text = rs.getString(column);
  const std::optional<T> value = parse(text);
  if (!value) return not_a(rs, column, text, what);
  return *value;
}

}  // namespace

Result<Zone> stored_zone(sql::ResultSet& rs, int column) {
  return stored(rs, column, parse_zone, "a zone");
}

Result<TicketStatus> stored_status(sql::ResultSet& rs, int column) {
  return stored(rs, column, parse_status, "a ticket status");
}

Result<FailReason> stored_reason(sql::ResultSet& rs, int column) {
  if (rs.isNull(column)) return FailReason::kNone;
  return stored(rs, column, parse_reason, "a failure reason");
}

Result<bool> stored_concert_open(sql::ResultSet& rs, int column) {
  return stored(rs, column, parse_concert_status, "a concert status");
}

Result<Cents> stored_money(sql::ResultSet& rs, int column) {
  const std::string text = rs.getString(column);
  Result<Cents> cents = parse_money(text);
  if (!cents.ok()) return not_a(rs, column, text, "an amount");
  return cents;
}

}  // namespace ticket
