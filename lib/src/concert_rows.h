// How concerts are read from and written to MySQL; shared by concerts.cc and
// seed.cc. Internal to libticket.
#pragma once

#include <string>

#include "db.h"
#include "ticket/concerts.h"

namespace ticket::concert_rows {

// The columns read_concert expects, in order (a macro so that statements
// stay single string literals).
#define TL_CONCERT_COLUMNS                                                                    \
  "id, slug, name, venue, starts_at, seat_rows, seats_per_row, free_seats, price, currency, " \
  "hold_seconds, max_seats_per_ticket, status"

Result<Concert> read_concert(sql::ResultSet& rs);

// Binds every field but id to parameters first..first+11, in the order of
// kInsert's columns.
void bind_fields(sql::PreparedStatement& stmt, int first, const Concert& c);

inline constexpr const char* kInsert =
    "INSERT INTO CONCERTS (slug, name, venue, starts_at, seat_rows, seats_per_row, free_seats, price, "
    "currency, hold_seconds, max_seats_per_ticket, status, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(3), NOW(3))";

// Loads by id or slug, optionally locking the row; kNotFound when absent.
Result<Concert> load(Db& db, std::string_view id_or_slug, bool for_update);

// A short description of a concert's fields for AUDIT_LOG.
std::string audit_detail(const Concert& c);

}  // namespace ticket::concert_rows
