// A MySQL connection (Connector/C++ 1.1) with prepared-statement caching and
// transactions that turn driver exceptions into Errors.
//
// One Db per thread. Every statement runs inside transaction(): the session
// runs with autocommit off, READ COMMITTED, UTC and strict SQL mode, so a
// transaction starts at its first statement and ends at commit or rollback.
#pragma once

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ticket/config.h"
#include "ticket/error.h"

namespace sql {
class Connection;
class SQLException;
class Statement;
}  // namespace sql

namespace ticket {

using ResultSetPtr = std::unique_ptr<sql::ResultSet>;

class Db {
 public:
  // Connects to the configured server; with `select_database` false no
  // default database is selected (for creating it). Errors: kUnavailable when
  // the server cannot be reached, kConfig for a refused login or a missing
  // database or password file.
  static Result<std::unique_ptr<Db>> connect(const MysqlConfig& config,
                                             bool select_database = true);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs `body` in one transaction. Commits when it returns ok, rolls back
  // otherwise. A deadlock or lock-wait timeout restarts `body` (up to 5
  // times), so `body` must only touch the database. Driver exceptions become
  // Errors (kUnavailable when the connection is lost; the next transaction
  // reconnects).
  template <class T>
  Result<T> transaction(const std::function<Result<T>()>& body);
  Status transaction(const std::function<Status()>& body);

  // Whether the last transaction() failed with its COMMIT sent and the
  // connection lost before the answer: it may or may not have committed.
  bool commit_outcome_unknown() const { return commit_unknown_; }

  // For fault tests: the next COMMIT of a transaction() is lost with the
  // connection, before it reaches the server (kUnsent) or after the server
  // committed (kUnanswered). Set by the failpoints of ticket/failpoint.h.
  enum class LoseCommit { kNo, kUnsent, kUnanswered };
  void lose_next_commit(LoseCommit how) { lose_commit_ = how; }

  // The statement for `sql`, prepared once per connection. Parameters are
  // cleared by the caller's set* calls; only use inside transaction().
  sql::PreparedStatement& prepare(const std::string& sql);

  // Shorthands for inside transaction().
  ResultSetPtr query(sql::PreparedStatement& stmt) { return ResultSetPtr(stmt.executeQuery()); }
  uint64_t last_insert_id();

  // Runs a prepared CALL of a procedure that answers with one result set:
  // `row` sees each of its rows, then the call's closing status is read so
  // that the connection can take the next statement. Inside transaction().
  void call(sql::PreparedStatement& stmt, const std::function<void(sql::ResultSet&)>& row);

  // Runs `sql` through the text protocol, for the migration statements that
  // MySQL 8 does not prepare (CREATE and DROP PROCEDURE). Only for text built
  // into the binary, never for anything that holds input.
  void execute_text(const std::string& sql);

  // "127.0.0.1:3306".
  const std::string& endpoint() const { return endpoint_; }
  const std::string& database() const { return config_.database; }

 private:
  Db(MysqlConfig config, std::string password, bool select_database);
  Status open();
  Status run(const std::function<Status()>& body);

  // Sends COMMIT or ROLLBACK; throws like the driver when the server does
  // not answer that it did.
  void end_transaction(const char* command);

  // Turns a driver exception into an Error; `what` says what was being done.
  // A refused privilege, login or missing table is kConfig (what to fix is
  // in the message); a server at a connection or resource limit, read-only,
  // out of memory or timing a statement out is kUnavailable (try again);
  // an error we do not understand is kInternal.
  Error error_from(const sql::SQLException& e, const std::string& what) const;

  // The Error for a server refusal by its error number, if it is one.
  std::optional<Error> refusal(int code, const std::string& msg) const;

  MysqlConfig config_;
  std::string password_;
  bool select_database_;
  std::string endpoint_;
  std::unique_ptr<sql::Connection> conn_;
  std::unique_ptr<sql::Statement> control_;  // for end_transaction, with conn_
  bool commit_unknown_ = false;
  LoseCommit lose_commit_ = LoseCommit::kNo;
  std::map<std::string, std::unique_ptr<sql::PreparedStatement>, std::less<>> statements_;
};

template <class T>
Result<T> Db::transaction(const std::function<Result<T>()>& body) {
  std::optional<Result<T>> out;
  Status s = run([&]() -> Status {
    out.emplace(body());
    if (!out->ok()) return out->error();
    return {};
  });
  if (!s.ok()) return std::move(s).error();
  return std::move(*out);
}

// Whether `e` is the refusal of a row that would duplicate the unique key
// named `key` (error 1062): MariaDB names the key alone ("uq_active_seat"),
// MySQL 8 with its table ("TICKET_SEATS.uq_active_seat"); either matches.
bool is_duplicate_key(const sql::SQLException& e, std::string_view key);

// MySQL error numbers that callers decide on.
inline constexpr int kErLockDeadlock = 1213;
inline constexpr int kErLockWaitTimeout = 1205;

}  // namespace ticket
