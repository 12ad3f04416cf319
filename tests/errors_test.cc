// An operator's mistake or a busy server, met by the built tools against real
// servers: a missing privilege, a dropped table or a Redis password problem
// is exit 8 with what to fix; a server at its connection limit or refusing
// clients for now is exit 7, so that a script can retry.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "db.h"
#include "redis.h"
#include "support/process.h"
#include "support/servers.h"

namespace ticket {
namespace {

using testing::free_port;
using testing::PrivateSandbox;
using testing::random_suffix;
using testing::read_file;
using testing::run_tool;
using testing::Sandbox;
using testing::shell;
using testing::TempDir;
using testing::TestEnv;
using testing::ToolRun;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The socket on which root connects without a password (scripts/sandbox).
std::string root_socket(const Sandbox& sandbox) {
  const std::string indirect = sandbox.dir + "/mysql/socket";
  if (std::filesystem::exists(indirect)) return trim(read_file(indirect));
  return sandbox.dir + "/mysql/mysqld.sock";
}

void root_sql(const Sandbox& sandbox, const TempDir& dir, const std::string& sql) {
  const std::string file = dir.write("root-" + random_suffix(6) + ".sql", sql);
  shell("mariadb --no-defaults --protocol=socket --socket='" + root_socket(sandbox) +
        "' -uroot < '" + file + "'");
}

// A MySQL account of its own on the shared server, dropped at the end.
class ScratchAccount {
 public:
  ScratchAccount(const TestEnv& env, const TempDir& dir, const std::string& options = "")
      : env_(env), dir_(dir), user_("tle" + random_suffix(8)), password_(random_suffix(20)) {
    root_sql(env.sandbox(), dir,
             "CREATE USER '" + user_ + "'@'127.0.0.1' IDENTIFIED BY '" + password_ + "' " +
                 options + ";");
  }
  ~ScratchAccount() {
    root_sql(env_.sandbox(), dir_, "DROP USER IF EXISTS '" + user_ + "'@'127.0.0.1';");
  }

  void grant(const std::string& what) {
    root_sql(env_.sandbox(), dir_, "GRANT " + what + " TO '" + user_ + "'@'127.0.0.1';");
  }
  const std::string& user() const { return user_; }

  // A configuration for the tools: the test's database and Redis, this
  // account.
  std::string config_file() const {
    const std::string pw = dir_.write(user_ + ".password", password_ + "\n");
    MysqlConfig m = env_.config().mysql;
    return dir_.write(user_ + ".toml",
                      "[mysql]\nhost = \"127.0.0.1\"\nport = " + std::to_string(m.port) +
                          "\nuser = \"" + user_ + "\"\npassword_file = \"" + pw +
                          "\"\ndatabase = \"" + m.database +
                          "\"\n\n[redis]\nhost = \"127.0.0.1\"\n" +
                          "port = " + std::to_string(env_.config().redis.port) +
                          "\npassword_file = \"" + env_.config().redis.password_file +
                          "\"\nkey_prefix = \"" + env_.prefix() + "\"\n\n[security]\n" +
                          "secret_file = \"" + env_.config().security.secret_file + "\"\n");
  }

  MysqlConfig mysql() const {
    MysqlConfig m = env_.config().mysql;
    m.user = user_;
    m.password = password_;
    return m;
  }

 private:
  const TestEnv& env_;
  const TempDir& dir_;
  std::string user_;
  std::string password_;
};

class Errors : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = run_tool(
        env_.config_file(), "tl-admin",
        {"concert", "create", "--slug", "errs", "--name", "Errors", "--rows", "2",
         "--seats-per-row", "5", "--free-seats", "2", "--price", "10.00", "--currency", "EUR"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string endpoint() const { return "127.0.0.1:" + std::to_string(env_.config().mysql.port); }
  std::string redis_endpoint() const {
    return "127.0.0.1:" + std::to_string(env_.config().redis.port);
  }

  // The test's own configuration with its Redis password file replaced.
  std::string config_with_redis_password_file(const std::string& file) {
    std::string text = read_file(env_.config_file());
    const std::string from = "password_file = \"" + env_.config().redis.password_file + "\"";
    text.replace(text.find(from), from.size(), "password_file = \"" + file + "\"");
    return dir_.write("redis-" + random_suffix(6) + ".toml", text);
  }

  TestEnv env_;
  TempDir dir_;
};

TEST_F(Errors, MissingTablePrivilegeIsExit8NamingTheAccount) {
  ScratchAccount account(env_, dir_);
  account.grant("SELECT ON `" + env_.database() + "`.*");
  auto r = run_tool(account.config_file(), "tl-admin",
                    {"concert", "create", "--slug", "errs-2", "--name", "More", "--rows", "1",
                     "--seats-per-row", "1", "--price", "1.00", "--currency", "EUR"});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_EQ(r.err,
            "tl-admin: error: MySQL user '" + account.user() +
                "' may not INSERT table CONCERTS in database '" + env_.database() + "' at " +
                endpoint() +
                ": use an account whose grants allow this command (see etc/sql/grants.sql)\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(Errors, MissingColumnPrivilegeIsExit8NamingTheColumn) {
  ScratchAccount account(env_, dir_);
  account.grant("SELECT ON `" + env_.database() + "`.*");
  account.grant("INSERT ON `" + env_.database() + "`.AUDIT_LOG");
  account.grant("UPDATE (updated_at) ON `" + env_.database() + "`.CONCERTS");
  auto r = run_tool(account.config_file(), "tl-admin", {"concert", "close", "errs"});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_EQ(r.err,
            "tl-admin: error: MySQL user '" + account.user() +
                "' may not UPDATE column status of table CONCERTS in database '" + env_.database() +
                "' at " + endpoint() +
                ": use an account whose grants allow this command (see etc/sql/grants.sql)\n");
}

TEST_F(Errors, UserConnectionLimitIsExit7) {
  ScratchAccount account(env_, dir_, "WITH MAX_USER_CONNECTIONS 1");
  account.grant("SELECT ON `" + env_.database() + "`.*");
  auto held = Db::connect(account.mysql());
  ASSERT_TRUE(held.ok()) << held.error().message();
  auto r = run_tool(account.config_file(), "tl-status", {"--concert", "errs"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(r.err, "tl-status: error: MySQL user '" + account.user() +
                       "' has reached a resource limit at " + endpoint() + " (User '" +
                       account.user() +
                       "' has exceeded the 'max_user_connections' resource (current value: 1)): "
                       "try again later\n");
}

TEST_F(Errors, HourlyConnectionLimitIsExit7) {
  ScratchAccount account(env_, dir_, "WITH MAX_CONNECTIONS_PER_HOUR 1");
  account.grant("SELECT ON `" + env_.database() + "`.*");
  { ASSERT_TRUE(Db::connect(account.mysql()).ok()); }
  auto r = run_tool(account.config_file(), "tl-status", {"--concert", "errs"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(r.err.rfind("tl-status: error: MySQL user '" + account.user() +
                            "' has reached a resource limit at " + endpoint() + " (",
                        0),
            0u)
      << r.err;
  EXPECT_NE(r.err.find("): try again later\n"), std::string::npos) << r.err;
}

TEST_F(Errors, DroppedTableIsExit8) {
  auto ctx = env_.context();
  auto db = ctx->db();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)
                  ->transaction([&]() -> Status {
                    (*db)->prepare("DROP TABLE AUDIT_LOG").execute();
                    return {};
                  })
                  .ok());
  auto r = run_tool(env_.config_file(), "tl-admin", {"audit", "--concert", "errs"});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_EQ(
      r.err.rfind("tl-admin: error: the database '" + env_.database() + "' at " + endpoint(), 0),
      0u)
      << r.err;
  EXPECT_NE(r.err.find("AUDIT_LOG"), std::string::npos) << r.err;
  // A table that goes missing after the tool checked the schema.
  Status gone = (*db)->transaction([&]() -> Status {
    (*db)->query((*db)->prepare("SELECT COUNT(*) FROM AUDIT_LOG"));
    return {};
  });
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(
      gone.error().message(),
      "the database '" + env_.database() + "' at " + endpoint() +
          " has no table AUDIT_LOG: its schema is incomplete; run: tl-admin db migrate (with the "
          "migration account)");
}

TEST_F(Errors, RedisWithoutPasswordIsExit8) {
  const std::string config = config_with_redis_password_file("");
  auto r = run_tool(config, "tl-status", {"--concert", "errs"});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_EQ(r.err, "tl-status: error: Redis at " + redis_endpoint() +
                       " wants a password: set [redis] password_file (or TL_REDIS_PASSWORD)\n");
  auto buy = run_tool(config, "tl-buy",
                      {"--concert", "errs", "--seat", "A1", "--name", "N", "--age", "30",
                       "--gender", "male", "--id-number", "ERRS0001"});
  EXPECT_EQ(buy.exit_code, 8) << buy.err;
  EXPECT_EQ(buy.err, "tl-buy: error: Redis at " + redis_endpoint() +
                         " wants a password: set [redis] password_file (or TL_REDIS_PASSWORD)\n");
}

TEST_F(Errors, RedisWrongPasswordIsExit8) {
  const std::string config =
      config_with_redis_password_file(dir_.write("wrong.password", "not-the-password\n"));
  auto r = run_tool(config, "tl-status", {"--concert", "errs"});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_EQ(r.err, "tl-status: error: Redis at " + redis_endpoint() +
                       " refused the password: check [redis] password_file\n");
}

// A Redis of its own that takes one client at a time: the second is told
// "max number of clients reached".
TEST_F(Errors, RedisFullOfClientsIsExit7) {
  const int port = free_port();
  const std::string pidfile = dir_.path() + "/redis.pid";
  shell("redis-server --port " + std::to_string(port) +
        " --bind 127.0.0.1 --save '' --appendonly no --maxclients 1" +
        " --daemonize yes --pidfile " + pidfile + " --logfile " + dir_.path() + "/redis.log" +
        " && for i in $(seq 50); do redis-cli -p " + std::to_string(port) +
        " ping >/dev/null 2>&1 && break; sleep 0.1; done");
  struct Stop {
    std::string pidfile;
    ~Stop() {
      shell("for i in $(seq 50); do [ -s " + pidfile + " ] && break; sleep 0.1; done; kill $(cat " +
            pidfile + ")");
    }
  } stop{pidfile};
  RedisConfig rc = env_.config().redis;
  rc.port = port;
  rc.password_file = "";
  rc.password.reset();
  auto held = Redis::connect(rc);
  ASSERT_TRUE(held.ok()) << held.error().message();
  ASSERT_TRUE((*held)->command({"PING"}).ok());

  std::string text = read_file(config_with_redis_password_file(""));
  const std::string from = "port = " + std::to_string(env_.config().redis.port);
  text.replace(text.find(from), from.size(), "port = " + std::to_string(port));
  const std::string config = dir_.write("full.toml", text);
  auto r = run_tool(config, "tl-status", {"--concert", "errs"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(r.err,
            "tl-status: error: Redis at 127.0.0.1:" + std::to_string(port) +
                " cannot serve this now (ERR max number of clients reached): try again later\n");
}

// max_connections is the server's: lowered on a private server only, so
// that tests on the shared one are not disturbed.
TEST(ErrorsPrivate, ServerConnectionLimitIsExit7) {
  PrivateSandbox servers;
  TestEnv env(servers.sandbox(), true);
  TempDir dir;
  root_sql(servers.sandbox(), dir, "SET GLOBAL max_connections = 10;");
  std::vector<std::unique_ptr<Db>> held;
  for (int i = 0; i < 12; ++i) {
    auto db = Db::connect(env.config().mysql);
    if (!db.ok()) {
      EXPECT_EQ(db.error().kind(), ErrorKind::kUnavailable) << db.error().message();
      break;
    }
    held.push_back(std::move(*db));
  }
  auto r = run_tool(env.config_file(), "tl-admin", {"concert", "list"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(r.err,
            "tl-admin: error: MySQL at 127.0.0.1:" + std::to_string(servers.sandbox().mysql_port) +
                " has too many connections (max_connections): try again later\n");
  held.clear();
}

}  // namespace
}  // namespace ticket
