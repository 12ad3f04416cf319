#include "ticket/db.h"

#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

#include "tcp_probe.h"
#include "ticket/text.h"

namespace ticket {
namespace {

constexpr int kMaxAttempts = 5;

// Client error numbers of libmysqlclient/libmariadb.
constexpr int kCrConnectionError = 2002;
constexpr int kCrConnHostError = 2003;
constexpr int kCrUnknownHost = 2005;
constexpr int kCrServerGone = 2006;
constexpr int kCrServerLost = 2013;
constexpr int kCrServerLostExtended = 2055;
constexpr int kCrCommandsOutOfSync = 2014;
constexpr int kErAccessDenied = 1045;
constexpr int kErDbAccessDenied = 1044;
constexpr int kErBadDb = 1049;
constexpr int kErServerShutdown = 1053;
constexpr int kErConnKilled = 1927;  // MariaDB: connection was killed

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
        "SET time_zone = '+00:00', sql_mode = 'TRADITIONAL', innodb_lock_wait_timeout = 10"));
    setup->execute();
    conn_->commit();
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
      return config_error(prefix + "MySQL at " + endpoint_ + " refused user " + quote(config_.user) +
                          ": check [mysql] user and the password");
    case kErDbAccessDenied:
      return config_error(prefix + "MySQL user " + quote(config_.user) + " may not use database " +
                          quote(config_.database) + " at " + endpoint_);
    case kErBadDb:
      return config_error(prefix + "MySQL at " + endpoint_ + " has no database " +
                          quote(config_.database) + "; create it with: tl-admin db migrate");
    default:
      break;
  }
  if (is_connection_lost(code))
    return unavailable(prefix + "lost the connection to MySQL at " + endpoint_ + ": " + msg);
  if (code == kErLockWaitTimeout || code == kErLockDeadlock)
    return unavailable(prefix + "MySQL at " + endpoint_ + " is too busy: " + msg);
  return internal(prefix + "MySQL error " + std::to_string(code) + ": " + msg);
}

sql::PreparedStatement& Db::prepare(const std::string& text) {
  auto it = statements_.find(text);
  if (it == statements_.end()) {
    it = statements_.emplace(text, std::unique_ptr<sql::PreparedStatement>(conn_->prepareStatement(text))).first;
  }
  it->second->clearParameters();
  return *it->second;
}

uint64_t Db::last_insert_id() {
  ResultSetPtr rs = query(prepare("SELECT LAST_INSERT_ID()"));
  rs->next();
  return rs->getUInt64(1);
}

Status Db::transaction(const std::function<Status()>& body) { return run(body); }

Status Db::run(const std::function<Status()>& body) {
  ensure_thread_init();
  for (int attempt = 1;; ++attempt) {
    if (!conn_ || conn_->isClosed()) TL_TRY(open());
    try {
      Status s = body();
      if (s.ok()) {
        conn_->commit();
      } else {
        conn_->rollback();
      }
      return s;
    } catch (const sql::SQLException& e) {
      const int code = e.getErrorCode();
      if (is_connection_lost(code)) {
        statements_.clear();
        conn_.reset();
        return error_from(e, "");
      }
      try {
        conn_->rollback();
      } catch (const sql::SQLException&) {
        statements_.clear();
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
