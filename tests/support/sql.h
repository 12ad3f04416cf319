// Direct SQL for tests that check what the database itself enforces.
#pragma once

#include <cstdint>
#include <string>

#include "db.h"
#include "ticket/context.h"

namespace ticket::testing {

// Runs one statement in its own transaction; returns the MySQL error code
// (0 on success).
int exec_sql(Db& db, const std::string& sql);

// The first column of the first row as an integer (-1 on error).
int64_t scalar_sql(Db& db, const std::string& sql);

// scalar_sql on the context's connection.
int64_t scalar_sql(Context& ctx, const std::string& sql);

// The number of the newest migration in lib/sql/ (NNN_what.sql): the schema
// version that migrating with this source tree reaches.
int newest_migration();

// Inserts a customer and a PROCESS ticket with no seats; returns the ticket id.
uint64_t insert_raw_ticket(Db& db, uint64_t concert_id, const std::string& code,
                           const std::string& zone = "BUY");

}  // namespace ticket::testing
