#include "ticket/schema.h"

#include <cppconn/exception.h>
#include <mysql_connection.h>

#include <string_view>

#include "ticket/text.h"

namespace ticket {
namespace embedded_sql {
extern const std::string_view k_001_initial_sql;
extern const std::string_view k_002_ticket_holder_sql;
}  // namespace embedded_sql

namespace {

struct Migration {
  int version;
  const char* description;
  std::string_view sql;
};

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1, "initial schema", embedded_sql::k_001_initial_sql},
      {2, "ticket holder details", embedded_sql::k_002_ticket_holder_sql},
  };
  return all;
}

constexpr int kErNoSuchTable = 1146;

constexpr const char* kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS SCHEMA_VERSION ("
    " version INT UNSIGNED NOT NULL PRIMARY KEY,"
    " description VARCHAR(255) NOT NULL,"
    " applied_at DATETIME(3) NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
constexpr const char* kSelectVersion = "SELECT COALESCE(MAX(version), 0) FROM SCHEMA_VERSION";
constexpr const char* kInsertVersion =
    "INSERT INTO SCHEMA_VERSION (version, description, applied_at) VALUES (?, ?, NOW(3))";
constexpr const char* kGetLock = "SELECT GET_LOCK(?, 60)";
constexpr const char* kReleaseLock = "SELECT RELEASE_LOCK(?)";

// Tables in an order that drops children before parents.
constexpr const char* kTables[] = {"AUDIT_LOG",  "TICKETS_APPLY_FREE", "TICKETS_APPLY_BUY", "TICKET_SEATS",
                                   "TICKETS",    "CUSTOMERS",          "CONCERTS",          "SCHEMA_VERSION"};

// Splits a migration file into statements: each ends with ';' at a line end.
// Lines starting with "--" are comments.
std::vector<std::string> statements(std::string_view sql) {
  std::vector<std::string> out;
  std::string current;
  size_t pos = 0;
  while (pos < sql.size()) {
    size_t end = sql.find('\n', pos);
    if (end == std::string_view::npos) end = sql.size();
    std::string_view line = sql.substr(pos, end - pos);
    pos = end + 1;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line.substr(first, 2) == "--") continue;
    current.append(line);
    current.push_back('\n');
    size_t last = line.find_last_not_of(" \t\r");
    if (line[last] == ';') {
      current.erase(current.find_last_of(';'));
      out.push_back(current);
      current.clear();
    }
  }
  return out;
}

Result<int> read_version(Db& db) {
  return db.transaction<int>([&]() -> Result<int> {
    ResultSetPtr rs = db.query(db.prepare(kSelectVersion));
    rs->next();
    return rs->getInt(1);
  });
}

Error too_new(const std::string& where, int found) {
  return config_error("the database " + where + " has schema version " + std::to_string(found) +
                      ", newer than this TicketLemon knows (up to " +
                      std::to_string(latest_schema_version()) + "); upgrade TicketLemon");
}

// CREATE DATABASE cannot take the name as a parameter; the configured name
// is checked to be letters, digits and underscores only (config.cc).
Status create_database(const MysqlConfig& config) {
  TL_ASSIGN_OR_RETURN(auto server, Db::connect(config, false));
  return server->transaction([&]() -> Status {
    try {
      server->prepare("CREATE DATABASE IF NOT EXISTS `" + config.database +
                      "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
          .execute();
    } catch (const sql::SQLException& e) {
      // An account without CREATE may still use a database made for it.
      if (e.getErrorCode() != 1044) throw;
    }
    return {};
  });
}

}  // namespace

int latest_schema_version() { return migrations().back().version; }

Result<MigrationReport> migrate(const MysqlConfig& config) {
  auto first = Db::connect(config);
  if (!first.ok() && first.error().kind() == ErrorKind::kConfig &&
      first.error().message().find("has no database") != std::string::npos) {
    TL_TRY(create_database(config));
    first = Db::connect(config);
  }
  if (!first.ok()) return std::move(first).error();
  Db& db = **first;
  const std::string where = quote(config.database) + " at " + db.endpoint();
  const std::string lock_name = "ticketlemon.migrate." + config.database;

  TL_TRY(db.transaction([&]() -> Status {
    auto& lock = db.prepare(kGetLock);
    lock.setString(1, lock_name);
    ResultSetPtr rs = db.query(lock);
    if (!rs->next() || rs->getInt(1) != 1)
      return unavailable("another migration of " + where + " holds the lock; try again");
    db.prepare(kCreateVersionTable).execute();
    return {};
  }));

  MigrationReport report;
  Status result = [&]() -> Status {
    TL_ASSIGN_OR_RETURN(report.from_version, read_version(db));
    if (report.from_version > latest_schema_version()) return too_new(where, report.from_version);
    report.to_version = report.from_version;
    for (const auto& m : migrations()) {
      if (m.version <= report.from_version) continue;
      Status applied = db.transaction([&]() -> Status {
        for (const auto& stmt : statements(m.sql)) db.prepare(stmt).execute();
        auto& insert = db.prepare(kInsertVersion);
        insert.setInt(1, m.version);
        insert.setString(2, m.description);
        insert.execute();
        return {};
      });
      if (!applied.ok())
        return applied.error().with_context("migration " + std::to_string(m.version) + " (" + m.description + ")");
      report.applied.push_back(m.version);
      report.to_version = m.version;
    }
    return {};
  }();

  (void)db.transaction([&]() -> Status {
    auto& unlock = db.prepare(kReleaseLock);
    unlock.setString(1, lock_name);
    db.query(unlock);
    return {};
  });
  if (!result.ok()) return std::move(result).error();
  return report;
}

Status drop_schema(Db& db) {
  return db.transaction([&]() -> Status {
    for (const char* table : kTables) db.prepare(std::string("DROP TABLE IF EXISTS ") + table).execute();
    return {};
  });
}

Status check_schema(Db& db) {
  const std::string where = quote(db.database()) + " at " + db.endpoint();
  auto version = db.transaction<int>([&]() -> Result<int> {
    try {
      ResultSetPtr rs = db.query(db.prepare(kSelectVersion));
      rs->next();
      return rs->getInt(1);
    } catch (const sql::SQLException& e) {
      if (e.getErrorCode() == kErNoSuchTable) return 0;
      throw;
    }
  });
  if (!version.ok()) return std::move(version).error();
  if (*version == 0)
    return config_error("the database " + where + " has no TicketLemon schema; run: tl-admin db migrate");
  if (*version > latest_schema_version()) return too_new(where, *version);
  if (*version < latest_schema_version())
    return config_error("the database " + where + " has schema version " + std::to_string(*version) +
                        ", this TicketLemon needs " + std::to_string(latest_schema_version()) +
                        "; run: tl-admin db migrate");
  return {};
}

}  // namespace ticket
