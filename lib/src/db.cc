#include "db.h"

#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "tcp_probe.h"
#include "ticket/text.h"

namespace ticket {
namespace {

constexpr int kMaxAttempts = 5;

constexpr int kErDupEntry = 1062;

// Client error numbers of libmysqlclient/libmariadb.
constexpr int kCrConnectionError = 2002;
constexpr int kCrConnHostError = 2003;
constexpr int kCrUnknownHost = 2005;
constexpr int kCrServerGone = 2006;
constexpr int kCrServerLost = 2013;
constexpr int kCrServerLostExtended = 2055;
constexpr int kCrCommandsOutOfSync = 2014;
constexpr int kErAccessDenied = 1045;
constexpr int kErAccessDeniedNoPassword = 1698;  // e.g. a unix_socket account over TCP
constexpr int kErDbAccessDenied = 1044;
constexpr int kErBadDb = 1049;
constexpr int kErServerShutdown = 1053;
constexpr int kErConnKilled = 1927;  // MariaDB: connection was killed

// Refusals that an operator fixes (account, grants, schema): exit 8.
constexpr int kErTableAccessDenied = 1142;
constexpr int kErColumnAccessDenied = 1143;
constexpr int kErSpecificAccessDenied = 1227;
constexpr int kErProcAccessDenied = 1370;
constexpr int kErNoSuchTable = 1146;
constexpr int kErNoSuchProcedure = 1305;
constexpr int kErHostIsBlocked = 1129;
constexpr int kErHostNotPrivileged = 1130;
constexpr int kErNotSupportedAuthMode = 1251;
constexpr int kErMustChangePassword = 1820;
constexpr int kErMustChangePasswordLogin = 1862;
constexpr int kErAccountLockedMysql = 3118;
constexpr int kErAccountLockedMariadb = 4151;

// Refusals of a busy or degraded server that a retry may get past: exit 7.
constexpr int kErDiskFull = 1021;
constexpr int kErOutOfMemory = 1037;
constexpr int kErOutOfSortMemory = 1038;
constexpr int kErConCount = 1040;
constexpr int kErOutOfResources = 1041;
constexpr int kErRecordFileFull = 1114;
constexpr int kErTooManyUserConnections = 1203;
constexpr int kErUserLimitReached = 1226;
constexpr int kErOptionPreventsStatement = 1290;  // e.g. --read-only
constexpr int kErQueryInterrupted = 1317;
constexpr int kErReadOnlyMode = 1836;
constexpr int kErStatementTimeout = 1969;  // MariaDB max_statement_time
constexpr int kErQueryTimeout = 3024;      // MySQL max_execution_time

constexpr const char* kGrantsHint = "see etc/sql/grants.sql";

sql::mysql::MySQL_Driver* driver() {
  static std::once_flag once;
  static sql::mysql::MySQL_Driver* d = nullptr;
  std::call_once(once, [] { d = sql::mysql::get_mysql_driver_instance(); });
  return d;
}

// Connector/C++ wants threadInit()/threadEnd() around each thread's use.
void ensure_thread_init() {
  struct Guard {
    Guard() { driver()->threadInit(); }
    ~Guard() { driver()->threadEnd(); }
  };
  thread_local Guard guard;
}

bool is_transient_refusal(int code) {
  switch (code) {
    case kErDiskFull:
    case kErOutOfMemory:
    case kErOutOfSortMemory:
    case kErConCount:
    case kErOutOfResources:
    case kErRecordFileFull:
    case kErTooManyUserConnections:
    case kErUserLimitReached:
    case kErOptionPreventsStatement:
    case kErQueryInterrupted:
    case kErReadOnlyMode:
    case kErStatementTimeout:
    case kErQueryTimeout: return true;
    default: return false;
  }
}

// The text between `open` and `close` after `after` in a server message, or
// "" when the message has another shape.
std::string between(const std::string& msg, std::string_view after, char open, char close) {
  size_t at = msg.find(after);
  if (at == std::string::npos) return {};
  at = msg.find(open, at + after.size());
  if (at == std::string::npos) return {};
  const size_t end = msg.find(close, at + 1);
  if (end == std::string::npos) return {};
  return msg.substr(at + 1, end - at - 1);
}

// "INSERT" of "INSERT command denied to user ...".
std::string denied_command(const std::string& msg) {
  const size_t end = msg.find(" command denied");
  return end == std::string::npos ? std::string() : msg.substr(0, end);
}

// The table a server message names: MariaDB writes `db`.`T`, MySQL 'T' (or
// 'db.T'); the database part is dropped.
std::string denied_table(const std::string& msg, std::string_view after) {
  size_t at = msg.find(after);
  if (at == std::string::npos) return {};
  std::string rest = msg.substr(at + after.size());
  std::string out;
  for (char c : rest) {
    if (c == '`' || c == '\'') continue;
    if (c == ' ' || c == ',' || c == ':') break;
    out.push_back(c);
  }
  const size_t dot = out.rfind('.');
  return dot == std::string::npos ? out : out.substr(dot + 1);
}

bool is_connection_lost(int code) {
  return code == kCrServerGone || code == kCrServerLost || code == kCrServerLostExtended ||
         code == kCrCommandsOutOfSync || code == kErServerShutdown || code == kErConnKilled ||
         code == kCrConnectionError || code == kCrConnHostError;
}

}  // namespace

Db::Db(MysqlConfig config, std::string password, bool select_database)
    : config_(std::move(config)),
      password_(std::move(password)),
      select_database_(select_database),
      endpoint_(config_.host + ":" + std::to_string(config_.port)) {}

Db::~Db() {
  statements_.clear();
  control_.reset();
  if (conn_) {
    try {
      conn_->close();
    } catch (const sql::SQLException&) {
    }
  }
}

Result<std::unique_ptr<Db>> Db::connect(const MysqlConfig& config, bool select_database) {
  std::string password;
  if (config.password) {
    password = *config.password;
  } else if (!config.password_file.empty()) {
    TL_ASSIGN_OR_RETURN(password, read_secret_file(config.password_file, "MySQL password"));
  }
  std::unique_ptr<Db> db(new Db(config, std::move(password), select_database));
  TL_TRY(db->open());
  return db;
}

Status Db::open() {
  ensure_thread_init();
  statements_.clear();
  control_.reset();
  conn_.reset();
  sql::ConnectOptionsMap opts;
  opts["hostName"] = sql::SQLString("tcp://" + endpoint_);
  opts["userName"] = sql::SQLString(config_.user);
  opts["password"] = sql::SQLString(password_);
  if (select_database_) opts["schema"] = sql::SQLString(config_.database);
  const int connect_s = (config_.connect_timeout_ms + 999) / 1000;
  opts["OPT_CONNECT_TIMEOUT"] = connect_s;
  opts["OPT_READ_TIMEOUT"] = 60;
  opts["OPT_WRITE_TIMEOUT"] = 60;
  opts["OPT_RECONNECT"] = false;
  opts["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  try {
    conn_.reset(driver()->connect(opts));
    conn_->setAutoCommit(false);
    conn_->setTransactionIsolation(sql::TRANSACTION_READ_COMMITTED);
    std::unique_ptr<sql::PreparedStatement> setup(conn_->prepareStatement(
        "SET autocommit = 0, time_zone = '+00:00', sql_mode = 'TRADITIONAL,ONLY_FULL_GROUP_BY',"
        " innodb_lock_wait_timeout = 10"));
    setup->execute();
  } catch (const sql::SQLException& e) {
    conn_.reset();
    if (is_connection_lost(e.getErrorCode())) {
      // The client library hides why the connection failed; ask the network.
      std::string why = tcp_probe(config_.host, config_.port, config_.connect_timeout_ms);
      if (why.empty()) why = "the server did not answer (" + std::string(e.what()) + ")";
      return unavailable("cannot reach MySQL at " + endpoint_ + ": " + why);
    }
    return error_from(e, "");
  }
  return {};
}

Error Db::error_from(const sql::SQLException& e, const std::string& what) const {
  const int code = e.getErrorCode();
  const std::string msg = e.what();
  const std::string prefix = what.empty() ? "" : what + ": ";
  switch (code) {
    case kCrUnknownHost:
      return unavailable(prefix + "cannot reach MySQL at " + endpoint_ + ": unknown host");
    case kErAccessDenied:
    case kErAccessDeniedNoPassword:
      return config_error(prefix + "MySQL at " + endpoint_ + " refused user " +
                          quote(config_.user) + ": check [mysql] user and the password");
    case kErDbAccessDenied:
      return config_error(prefix + "MySQL user " + quote(config_.user) + " may not use database " +
                          quote(config_.database) + " at " + endpoint_ + " (" + kGrantsHint + ")");
    case kErBadDb:
      return config_error(prefix + "MySQL at " + endpoint_ + " has no database " +
                          quote(config_.database) + "; create it with: tl-admin db migrate");
    default: break;
  }
  if (auto refused = refusal(code, msg))
    return prefix.empty() ? *refused : refused->with_context(what);
  if (is_connection_lost(code))
    return unavailable(prefix + "lost the connection to MySQL at " + endpoint_ + ": " + msg);
  if (code == kErLockWaitTimeout || code == kErLockDeadlock)
    return unavailable(prefix + "MySQL at " + endpoint_ + " is too busy: " + msg);
  return internal(prefix + "MySQL error " + std::to_string(code) + ": " + msg);
}

std::optional<Error> Db::refusal(int code, const std::string& msg) const {
  const std::string user = "MySQL user " + quote(config_.user);
  const std::string in_db = " in database " + quote(config_.database) + " at " + endpoint_;
  const std::string fix =
      ": use an account whose grants allow this command (" + std::string(kGrantsHint) + ")";
  switch (code) {
    case kErTableAccessDenied: {
      const std::string command = denied_command(msg);
      const std::string table = denied_table(msg, "for table ");
      if (command.empty() || table.empty()) break;
      return config_error(user + " may not " + command + " table " + table + in_db + fix);
    }
    case kErColumnAccessDenied: {
      const std::string command = denied_command(msg);
      const std::string column = between(msg, "for column ", '\'', '\'');
      const std::string table = denied_table(msg, " in table ");
      if (command.empty() || column.empty() || table.empty()) break;
      return config_error(user + " may not " + command + " column " + column + " of table " +
                          table + in_db + fix);
    }
    case kErProcAccessDenied: {
      // "execute command denied to user 'u'@'h' for routine 'db.tl_buy'"
      const std::string command = denied_command(msg);
      const std::string routine = denied_table(msg, "for routine ");
      if (command.empty() || routine.empty()) break;
      return config_error(user + " may not " + to_upper(command) + " procedure " + routine + in_db +
                          fix);
    }
    case kErSpecificAccessDenied: break;
    case kErNoSuchTable: {
      const std::string table = denied_table(msg, "Table ");
      return config_error(
          "the database " + quote(config_.database) + " at " + endpoint_ + " has no table " +
          (table.empty() ? msg : table) +
          ": its schema is incomplete; run: tl-admin db migrate (with the migration account)");
    }
    case kErNoSuchProcedure:
      return config_error("the database " + quote(config_.database) + " at " + endpoint_ +
                          " lacks a procedure (" + msg +
                          "): its schema is incomplete; run: tl-admin db migrate (with the "
                          "migration account)");
    case kErHostIsBlocked:
      return config_error("MySQL at " + endpoint_ +
                          " blocks this host after too many failed connections (" + msg +
                          "): an administrator must run: mysqladmin flush-hosts");
    case kErHostNotPrivileged:
      return config_error("MySQL at " + endpoint_ + " does not let this host connect (" + msg +
                          "): check the host part of " + user + " (" + kGrantsHint + ")");
    case kErNotSupportedAuthMode:
      return config_error("MySQL at " + endpoint_ +
                          " wants an authentication method this client lacks for " + user + " (" +
                          msg + ")");
    case kErMustChangePassword:
    case kErMustChangePasswordLogin:
      return config_error(user + " at " + endpoint_ +
                          " must change its password first (ALTER USER)");
    case kErAccountLockedMysql:
    case kErAccountLockedMariadb:
      return config_error(user + " at " + endpoint_ + " is locked (ALTER USER ... ACCOUNT UNLOCK)");
    case kErConCount:
      return unavailable("MySQL at " + endpoint_ +
                         " has too many connections (max_connections): try again later");
    case kErTooManyUserConnections:
      return unavailable(user + " has too many connections to " + endpoint_ +
                         " (max_user_connections): try again later");
    case kErUserLimitReached:
      return unavailable(user + " has reached a resource limit at " + endpoint_ + " (" + msg +
                         "): try again later");
    default:
      if (is_transient_refusal(code))
        return unavailable("MySQL at " + endpoint_ + " cannot serve this now (" + msg +
                           "): try again later");
      return std::nullopt;
  }
  // Another refusal of a privilege, or one whose message has a shape we do
  // not parse: the server's words, still as an account problem.
  return config_error(user + " at " + endpoint_ + " lacks a privilege (" + msg + ")" + fix);
}

bool is_duplicate_key(const sql::SQLException& e, std::string_view key) {
  if (e.getErrorCode() != kErDupEntry) return false;
  // "Duplicate entry '<values>' for key '<name>'": the values may hold any
  // text, the name comes last.
  const std::string msg = e.what();
  constexpr std::string_view kFor = "for key '";
  const size_t at = msg.rfind(kFor);
  if (at == std::string::npos || msg.back() != '\'') return false;
  const std::string_view name =
      std::string_view(msg).substr(at + kFor.size(), msg.size() - at - kFor.size() - 1);
  if (name == key) return true;
  return name.size() > key.size() && name.substr(name.size() - key.size()) == key &&
         name[name.size() - key.size() - 1] == '.';
}

sql::PreparedStatement& Db::prepare(const std::string& text) {
  auto it = statements_.find(text);
  if (it == statements_.end()) {
    it = statements_
             .emplace(text, std::unique_ptr<sql::PreparedStatement>(conn_->prepareStatement(text)))
             .first;
  }
  it->second->clearParameters();
  return *it->second;
}

uint64_t Db::last_insert_id() {
  ResultSetPtr rs = query(prepare("SELECT LAST_INSERT_ID()"));
  rs->next();
  return rs->getUInt64(1);
}

void Db::call(sql::PreparedStatement& stmt, const std::function<void(sql::ResultSet&)>& row) {
  {
    ResultSetPtr rs(stmt.executeQuery());
    while (rs->next()) row(*rs);
  }
  // A CALL answers its result set, then a status of its own.
  while (stmt.getMoreResults()) {
  }
}

void Db::end_transaction(const char* command) {
  // Not Connection::commit() and rollback(): Connector/C++ 1.1 drops the
  // server's answer to those, so a COMMIT lost with the connection passed
  // for a commit. A statement throws on an error. Not a prepared statement:
  // MySQL 8 does not prepare ROLLBACK.
  if (!control_) control_.reset(conn_->createStatement());
  control_->execute(command);
}

void Db::execute_text(const std::string& sql) {
  std::unique_ptr<sql::Statement> stmt(conn_->createStatement());
  stmt->execute(sql);
}

Status Db::transaction(const std::function<Status()>& body) { return run(body); }

Status Db::run(const std::function<Status()>& body) {
  ensure_thread_init();
  commit_unknown_ = false;
  for (int attempt = 1;; ++attempt) {
    if (!conn_ || conn_->isClosed()) TL_TRY(open());
    bool committing = false;
    try {
      Status s = body();
      committing = s.ok();
      if (committing && lose_commit_ != LoseCommit::kNo) {
        if (std::exchange(lose_commit_, LoseCommit::kNo) == LoseCommit::kUnanswered)
          end_transaction("COMMIT");
        throw sql::SQLException("Lost connection to server during query (failpoint)", "HY000",
                                kCrServerLost);
      }
      end_transaction(s.ok() ? "COMMIT" : "ROLLBACK");
      return s;
    } catch (const sql::SQLException& e) {
      const int code = e.getErrorCode();
      if (is_connection_lost(code)) {
        statements_.clear();
        control_.reset();
        conn_.reset();
        commit_unknown_ = committing;
        return error_from(e, "");
      }
      try {
        end_transaction("ROLLBACK");
      } catch (const sql::SQLException&) {
        statements_.clear();
        control_.reset();
        conn_.reset();
      }
      if ((code == kErLockDeadlock || code == kErLockWaitTimeout) && attempt < kMaxAttempts) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2 << attempt));
        continue;
      }
      return error_from(e, "");
    }
  }
}

}  // namespace ticket
