// The MySQL schema (SPEC §3): numbered migrations and the version check.
#pragma once

#include <string>
#include <vector>

#include "ticket/config.h"
#include "ticket/db.h"
#include "ticket/error.h"

namespace ticket {

// The newest schema version this build knows.
int latest_schema_version();

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<int> applied;
};

// Creates the database when it is missing (if the account may), then applies
// every migration newer than the database's version, in order, under a MySQL
// named lock so that concurrent migrators wait for each other. Applying it
// twice changes nothing. A database newer than this build is refused (kConfig).
Result<MigrationReport> migrate(const MysqlConfig& config);

// Drops every TicketLemon table. The caller migrates again.
Status drop_schema(Db& db);

// kConfig unless the database holds exactly latest_schema_version(); the
// message says which version was found and what to do.
Status check_schema(Db& db);

}  // namespace ticket
