// Resetting the whole database (`tl-admin db reset`): every table and seat
// map dropped, the schema made again.
#pragma once

#include <cstdint>
#include <string>

#include "ticket/context.h"
#include "ticket/schema.h"

namespace ticket {

struct ResetOptions {
  // Also when paid or granted tickets would be lost; refused otherwise.
  bool delete_sold_tickets = false;
};

struct ResetReport {
  MigrationReport migration;
  int64_t tickets = 0;  // deleted, of which:
  int64_t paid = 0;
  int64_t granted = 0;
  std::string detail;  // what the audit row says
};

// Counts the tickets first (a half-dropped schema counts what is left), and
// refuses with kConflict, saying how many paid and granted tickets of which
// concerts, when any would be lost without delete_sold_tickets. Then drops
// every table (drop_schema) and the seat maps under the key prefix,
// migrates, and writes one "database-reset" row into the new AUDIT_LOG
// saying what was deleted: counts by status and the codes of the paid and
// granted tickets. Works without a valid schema (no check_schema).
Result<ResetReport> reset_database(Context& ctx, const ResetOptions& options);

}  // namespace ticket
