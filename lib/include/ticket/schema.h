// The MySQL schema: numbered migrations and the check that a database holds
// the version and the tables this build expects.
#pragma once

#include <string>
#include <vector>

#include "ticket/config.h"
#include "ticket/error.h"

namespace ticket {

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<int> applied;
  std::vector<std::string> recreated;             // tables that were missing at from_version
  std::vector<std::string> recreated_procedures;  // procedures missing at from_version
};

// Creates the database when it is missing (if the account may), then applies
// every migration newer than the database's version, in order, under a MySQL
// named lock so that concurrent migrators wait for each other. Applying it
// twice changes nothing. A database newer than this build is refused (kConfig).
//
// It also mends what a reset or a hand cut short leaves: tables that the
// recorded version should have but that are missing are created again
// (empty, by running again the statements of the migrations that made and
// changed them), and so are missing procedures; with no version recorded, empty tables of ours are
// dropped first, and tables of ours that hold rows are refused (kConfig, saying to finish the
// reset).
Result<MigrationReport> migrate(const MysqlConfig& config);

}  // namespace ticket
