#include "ticket/schema.h"

#include <cppconn/exception.h>
#include <mysql_connection.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string_view>

#include "schema_sql.h"
#include "ticket/failpoint.h"
#include "ticket/text.h"

namespace ticket {
namespace embedded_sql {
extern const std::string_view k_001_initial_sql;
extern const std::string_view k_002_ticket_holder_sql;
extern const std::string_view k_003_cancel_reason_sql;
extern const std::string_view k_004_buy_pay_procedures_sql;
extern const std::string_view k_005_checkins_sql;
extern const std::string_view k_006_checkin_kind_sql;
extern const std::string_view k_007_payments_sql;
extern const std::string_view k_008_report_sql;
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
      {3, "cancel reason", embedded_sql::k_003_cancel_reason_sql},
      {4, "buy and pay procedures", embedded_sql::k_004_buy_pay_procedures_sql},
      {5, "check-ins", embedded_sql::k_005_checkins_sql},
      {6, "check-in kinds", embedded_sql::k_006_checkin_kind_sql},
      {7, "payments", embedded_sql::k_007_payments_sql},
      {8, "report indexes", embedded_sql::k_008_report_sql},
  };
  return all;
}

// The newest schema version this build knows.
int latest_schema_version() { return migrations().back().version; }

constexpr int kErNoSuchTable = 1146;
constexpr int kErDupFieldName = 1060;
constexpr int kErCantDropFieldOrKey = 1091;
constexpr int kErTableAccessDenied = 1142;
constexpr const char* kVersionTable = "SCHEMA_VERSION";

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
constexpr const char* kListTables =
    "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()";
constexpr const char* kListProcedures =
    "SELECT ROUTINE_NAME FROM information_schema.ROUTINES"
    " WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE = 'PROCEDURE'";

// Splits a migration file into statements: each ends with ';' at a line end,
// or with what a "DELIMITER x" line sets instead (as the mysql client reads
// a file; procedure bodies hold ';'). Lines starting with "--" are comments.
std::vector<std::string> statements(std::string_view sql) {
  std::vector<std::string> out;
  std::string current;
  std::string delimiter = ";";
  size_t pos = 0;
  while (pos < sql.size()) {
    size_t end = sql.find('\n', pos);
    if (end == std::string_view::npos) end = sql.size();
    std::string_view line = sql.substr(pos, end - pos);
    pos = end + 1;
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line.substr(first, 2) == "--") continue;
    const size_t last = line.find_last_not_of(" \t\r");
    line = line.substr(first, last + 1 - first);
    if (current.empty() && to_upper(line.substr(0, 10)) == "DELIMITER ") {
      delimiter = std::string(line.substr(10));
      continue;
    }
    current.append(line);
    current.push_back('\n');
    if (line.size() >= delimiter.size() &&
        line.substr(line.size() - delimiter.size()) == delimiter) {
      current.erase(current.rfind(delimiter));
      out.push_back(current);
      current.clear();
    }
  }
  return out;
}

// The procedure a migration statement creates or drops, or "" for another
// statement. These run through the text protocol (Db::execute_text).
std::string procedure_statement(const std::string& stmt) {
  const std::string head = to_upper(stmt.substr(0, 40));
  for (const char* prefix : {"CREATE PROCEDURE ", "DROP PROCEDURE IF EXISTS "}) {
    const std::string_view p = prefix;
    if (head.compare(0, p.size(), p) != 0) continue;
    const size_t end = stmt.find_first_of(" (\n", p.size());
    return stmt.substr(p.size(), end == std::string::npos ? std::string::npos : end - p.size());
  }
  return {};
}

// Runs one migration statement (inside Db::transaction).
void execute_statement(Db& db, const std::string& stmt) {
  if (procedure_statement(stmt).empty())
    db.prepare(stmt).execute();
  else
    db.execute_text(stmt);
}

// Whether `error` from migration statement `stmt` says that the statement
// was run before: the column it adds or the index it drops.
bool done_before(int error, const std::string& stmt) {
  if (error == kErDupFieldName) return stmt.find("ADD COLUMN") != std::string::npos;
  if (error == kErCantDropFieldOrKey) return stmt.find("DROP INDEX") != std::string::npos;
  return false;
}

// The table a migration statement creates, drops or otherwise changes.
struct TableStatement {
  enum class Kind { kCreate, kDrop, kChange, kNone } kind = Kind::kNone;
  std::string table;
};

TableStatement table_statement(const std::string& stmt) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (words.size() < 8) {
    pos = stmt.find_first_not_of(" \t\r\n", pos);
    if (pos == std::string::npos) break;
    size_t end = stmt.find_first_of(" \t\r\n(", pos);
    if (end == pos) end = pos + 1;
    words.push_back(stmt.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    pos = end;
  }
  auto word = [&](size_t i) { return i < words.size() ? to_upper(words[i]) : std::string(); };
  auto name = [&](size_t i) {
    std::string n = i < words.size() ? words[i] : std::string();
    n.erase(std::remove(n.begin(), n.end(), '`'), n.end());
    return n;
  };
  // Past "IF [NOT] EXISTS".
  auto after_if = [&](size_t i) {
    if (word(i) != "IF") return i;
    return word(i + 1) == "NOT" ? i + 3 : i + 2;
  };
  using Kind = TableStatement::Kind;
  if (word(0) == "CREATE" && word(1) == "TABLE") return {Kind::kCreate, name(after_if(2))};
  if (word(0) == "DROP" && word(1) == "TABLE") return {Kind::kDrop, name(after_if(2))};
  if (word(0) == "ALTER" && word(1) == "TABLE") return {Kind::kChange, name(2)};
  if (word(0) == "INSERT" && word(1) == "INTO") return {Kind::kChange, name(2)};
  if (word(0) == "UPDATE") return {Kind::kChange, name(1)};
  if (word(0) == "CREATE") {
    for (size_t i = 1; i + 1 < words.size(); ++i) {
      if (word(i) == "ON") return {Kind::kChange, name(i + 1)};
    }
  }
  return {};
}

// The tables that migrations up to `version` leave, in the order they were
// created (parents before the tables that refer to them).
std::vector<std::string> expected_tables(int version) {
  std::vector<std::string> out;
  for (const auto& m : migrations()) {
    if (m.version > version) break;
    for (const auto& stmt : statements(m.sql)) {
      const TableStatement t = table_statement(stmt);
      if (t.kind == TableStatement::Kind::kCreate &&
          std::find(out.begin(), out.end(), t.table) == out.end())
        out.push_back(t.table);
      if (t.kind == TableStatement::Kind::kDrop)
        out.erase(std::remove(out.begin(), out.end(), t.table), out.end());
    }
  }
  return out;
}

// The procedures that migrations up to `version` leave, each with the
// statement that creates it as the latest of them defines it.
std::map<std::string, std::string> expected_procedures(int version) {
  std::map<std::string, std::string> out;
  for (const auto& m : migrations()) {
    if (m.version > version) break;
    for (const auto& stmt : statements(m.sql)) {
      const std::string name = procedure_statement(stmt);
      if (name.empty()) continue;
      if (to_upper(stmt.substr(0, 6)) == "CREATE")
        out[name] = stmt;
      else
        out.erase(name);
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// A table name for the statements that cannot take it as a parameter. The
// names come from the embedded migrations (table_statement), never from
// input; anything but upper-case letters, digits and underscores is a bug.
std::string table_ref(const std::string& table) {
  const bool plain = !table.empty() && std::all_of(table.begin(), table.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!plain) throw std::logic_error("not a TicketLemon table name: " + quote(table));
  return "`" + table + "`";
}

// Which of `tables` do not exist. A table this account may not see is looked
// at once more: only the server's "does not exist" counts, so that an account
// without rights on a table it does not need is not told to migrate.
std::vector<std::string> missing_tables(Db& db, const std::vector<std::string>& tables) {
  std::set<std::string> present;
  ResultSetPtr rs = db.query(db.prepare(kListTables));
  while (rs->next()) present.insert(rs->getString(1));
  std::vector<std::string> out;
  for (const auto& table : tables) {
    if (present.count(table) > 0) continue;
    try {
      db.query(db.prepare("SELECT 1 FROM " + table_ref(table) + " LIMIT 0"));
    } catch (const sql::SQLException& e) {
      if (e.getErrorCode() == kErNoSuchTable)
        out.push_back(table);
      else if (e.getErrorCode() != kErTableAccessDenied)
        throw;
    }
  }
  return out;
}

// A procedure name for DROP PROCEDURE, which takes no parameter. The names
// come from the embedded migrations (procedure_statement), never from input.
std::string procedure_ref(const std::string& name) {
  const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!plain) throw std::logic_error("not a TicketLemon procedure name: " + quote(name));
  return "`" + name + "`";
}

// Which of the procedures that `version` should have do not exist.
std::vector<std::string> missing_procedures(Db& db, int version) {
  std::set<std::string> present;
  ResultSetPtr rs = db.query(db.prepare(kListProcedures));
  while (rs->next()) present.insert(rs->getString(1));
  std::vector<std::string> out;
  for (const auto& [name, create] : expected_procedures(version))
    if (present.count(name) == 0) out.push_back(name);
  return out;
}

// Creates the procedures of `missing` again, as migrations up to `version`
// define them.
Status recreate_procedures(Db& db, int version, const std::vector<std::string>& missing) {
  const auto expected = expected_procedures(version);
  for (const auto& name : missing) {
    Status done = db.transaction([&]() -> Status {
      db.execute_text(expected.at(name));
      return {};
    });
    if (!done.ok()) return done.error().with_context("recreating procedure " + name);
  }
  return {};
}

// Recreates `missing` tables of a database at `version` by running again,
// in order, each statement of migrations up to `version` that creates or
// changes one of them; the other tables keep their rows.
Status recreate_tables(Db& db, int version, const std::vector<std::string>& missing) {
  const std::set<std::string> wanted(missing.begin(), missing.end());
  for (const auto& m : migrations()) {
    if (m.version > version) break;
    for (const auto& stmt : statements(m.sql)) {
      const TableStatement t = table_statement(stmt);
      if (t.kind == TableStatement::Kind::kNone || wanted.count(t.table) == 0) continue;
      Status done = db.transaction([&]() -> Status {
        db.prepare(stmt).execute();
        return {};
      });
      if (!done.ok()) return done.error().with_context("recreating table " + t.table);
    }
  }
  return {};
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
      server
          ->prepare("CREATE DATABASE IF NOT EXISTS `" + config.database +
                    "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
          .execute();
    } catch (const sql::SQLException& e) {
      // An account without CREATE may still use a database made for it.
      if (e.getErrorCode() != 1044) throw;
    }
    return {};
  });
}

// A database without a schema version may still hold tables of ours, left
// by a reset or a first migration cut short. Empty ones are dropped so that
// the migrations start clean; when any holds rows nothing is touched.
Status clear_leftovers(Db& db, const std::string& where) {
  const std::vector<std::string> all = expected_tables(latest_schema_version());
  std::vector<std::string> found, with_rows;
  TL_TRY(db.transaction([&]() -> Status {
    const auto missing = missing_tables(db, all);
    for (const auto& table : all) {
      if (std::find(missing.begin(), missing.end(), table) != missing.end()) continue;
      found.push_back(table);
      ResultSetPtr rs =
          db.query(db.prepare("SELECT EXISTS (SELECT 1 FROM " + table_ref(table) + ")"));
      rs->next();
      if (rs->getInt(1) != 0) with_rows.push_back(table);
    }
    return {};
  }));
  if (!with_rows.empty())
    return config_error(
        "the database " + where + " has no schema version but its tables " + joined(with_rows) +
        " hold rows, as a db reset cut short leaves them; finish the reset with: tl-admin db reset "
        "--yes");
  for (auto it = found.rbegin(); it != found.rend(); ++it) {
    TL_TRY(db.transaction([&]() -> Status {
      db.prepare("DROP TABLE IF EXISTS " + table_ref(*it)).execute();
      return {};
    }));
  }
  return {};
}

}  // namespace

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
    if (report.from_version == 0) {
      TL_TRY(clear_leftovers(db, where));
    } else {
      TL_ASSIGN_OR_RETURN(report.recreated, db.transaction<std::vector<std::string>>([&]() {
        return Result<std::vector<std::string>>(
            missing_tables(db, expected_tables(report.from_version)));
      }));
      TL_TRY(recreate_tables(db, report.from_version, report.recreated));
      TL_ASSIGN_OR_RETURN(
          std::vector<std::string> procedures, db.transaction<std::vector<std::string>>([&]() {
            return Result<std::vector<std::string>>(missing_procedures(db, report.from_version));
          }));
      TL_TRY(recreate_procedures(db, report.from_version, procedures));
      report.recreated_procedures = std::move(procedures);
    }
    for (const auto& m : migrations()) {
      if (m.version <= report.from_version) continue;
      Status applied = db.transaction([&]() -> Status {
        for (const auto& stmt : statements(m.sql)) {
          try {
            execute_statement(db, stmt);
          } catch (const sql::SQLException& e) {
            // Each ALTER commits by itself: a migration killed after one (or
            // restarted after a deadlock) has made its change already. An
            // ALTER that drops one index and adds another does both or
            // neither, so its index gone means it was done.
            if (!done_before(e.getErrorCode(), stmt)) throw;
          }
        }
        auto& insert = db.prepare(kInsertVersion);
        insert.setInt(1, m.version);
        insert.setString(2, m.description);
        insert.execute();
        return {};
      });
      if (!applied.ok())
        return applied.error().with_context("migration " + std::to_string(m.version) + " (" +
                                            m.description + ")");
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
  // The version goes first: a reset cut short then reads as "no schema"
  // rather than as a complete one (see migrate and check_schema).
  std::vector<std::string> order = expected_tables(latest_schema_version());
  order.emplace_back(kVersionTable);
  std::reverse(order.begin(), order.end());
  for (size_t i = 0; i < order.size(); ++i) {
    TL_TRY(db.transaction([&]() -> Status {
      db.prepare("DROP TABLE IF EXISTS " + table_ref(order[i])).execute();
      return {};
    }));
    if (i == order.size() / 2) failpoint("reset-mid-drop");
  }
  for (const auto& [name, create] : expected_procedures(latest_schema_version())) {
    TL_TRY(db.transaction([&]() -> Status {
      db.execute_text("DROP PROCEDURE IF EXISTS " + procedure_ref(name));
      return {};
    }));
  }
  return {};
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
    return config_error("the database " + where +
                        " has no TicketLemon schema; run: tl-admin db migrate");
  if (*version > latest_schema_version()) return too_new(where, *version);
  if (*version < latest_schema_version())
    return config_error("the database " + where + " has schema version " +
                        std::to_string(*version) + ", this TicketLemon needs " +
                        std::to_string(latest_schema_version()) + "; run: tl-admin db migrate");
  TL_ASSIGN_OR_RETURN(auto missing, db.transaction<std::vector<std::string>>([&]() {
    return Result<std::vector<std::string>>(missing_tables(db, expected_tables(*version)));
  }));
  if (!missing.empty())
    return config_error("the database " + where + " has schema version " +
                        std::to_string(*version) + " but lacks the table" +
                        (missing.size() == 1 ? " " : "s ") + joined(missing) +
                        "; run: tl-admin db migrate");
  return {};
}

}  // namespace ticket
