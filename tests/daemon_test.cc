// ticketlemond as a process: what it accepts as a listen address, whether
// /healthz tells the truth when its credentials go wrong and SIGHUP fixes
// them, how it answers malformed HTTP, and the secret it refuses.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/daemon.h"
#include "support/process.h"
#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/buy.h"
#include "ticket/cancel.h"
#include "ticket/checkin.h"
#include "ticket/passes.h"
#include "ticket/pay.h"

namespace ticket {
namespace {

using testing::Background;
using testing::Daemon;
using testing::eventually;
using testing::http_get;
using testing::read_file;
using testing::TempDir;
using testing::TestEnv;
using testing::tool_path;

// Rewrites a private file in place, as an operator's editor would.
void rewrite(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

// A test environment whose password and secret files are copies of its own,
// so that a test may break and mend them; the configuration names the copies.
class OwnFiles {
 public:
  explicit OwnFiles(const TestEnv& env) {
    const Config& c = env.config();
    mysql_password_ = dir_.write("mysql.password", read_file(c.mysql.password_file));
    redis_password_ = dir_.write("redis.password", read_file(c.redis.password_file));
    secret_ = dir_.write("secret", read_file(c.security.secret_file));
    std::string toml = read_file(env.config_file());
    replace(toml, c.mysql.password_file, mysql_password_);
    replace(toml, c.redis.password_file, redis_password_);
    replace(toml, c.security.secret_file, secret_);
    config_file_ = dir_.write("ticketlemon.toml", toml);
  }
  const std::string& config_file() const { return config_file_; }
  const std::string& mysql_password() const { return mysql_password_; }
  const std::string& redis_password() const { return redis_password_; }
  const std::string& secret() const { return secret_; }
  const std::string& dir() const { return dir_.path(); }

 private:
  static void replace(std::string& s, const std::string& from, const std::string& to) {
    const auto at = s.find("\"" + from + "\"");
    ASSERT_NE(at, std::string::npos) << from;
    s.replace(at + 1, from.size(), to);
  }

  TempDir dir_;
  std::string config_file_, mysql_password_, redis_password_, secret_;
};

// Runs ticketlemond that is expected to stop at once; its exit code (or -1
// when it was still running after 5 seconds) and its output.
std::pair<int, std::string> run_briefly(const std::vector<std::string>& args,
                                        const std::map<std::string, std::string>& env) {
  TempDir t;
  std::vector<std::string> argv = {tool_path("ticketlemond")};
  argv.insert(argv.end(), args.begin(), args.end());
  Background daemon(argv, env, t.path() + "/out.log");
  const auto code = daemon.wait_for(5000);
  return {code.value_or(-1), daemon.log()};
}

const std::string kListenWhy =
    "expected HOST:PORT (an IPv4 address, an IPv6 address in brackets or a host name, and a port "
    "from 1 to "
    "65535), such as 127.0.0.1:9464, got ";

TEST(DaemonListen, MalformedAddressIsExit8NamingIt) {
  TempDir t;
  const auto config = t.write("c.toml", "[log]\nlevel = \"info\"\n");
  for (const std::string bad : {"[::1:45465", "::1:80", "127.0.0.1:", "127.0.0.1:99999",
                                "127.0.0.1:80x", ":80", "", "[::1]:", "127.0.0.1:0"}) {
    auto [code, out] = run_briefly({"--listen", bad}, {{"TL_CONFIG", config}});
    EXPECT_EQ(code, 8) << "--listen '" << bad << "': " << out;
    EXPECT_EQ(out,
              "ticketlemond: error: --listen: [daemon] listen: " + kListenWhy + "'" + bad + "'\n");
  }
  auto [env_code, env_out] =
      run_briefly({}, {{"TL_CONFIG", config}, {"TL_DAEMON_LISTEN", "[::1:45465"}});
  EXPECT_EQ(env_code, 8) << env_out;
  EXPECT_EQ(env_out,
            "ticketlemond: error: environment variable TL_DAEMON_LISTEN: [daemon] listen: " +
                kListenWhy + "'[::1:45465'\n");
  const auto file = t.write("l.toml", "[daemon]\nlisten = \"[::1:45465\"\n");
  auto [file_code, file_out] = run_briefly({}, {{"TL_CONFIG", file}});
  EXPECT_EQ(file_code, 8) << file_out;
  EXPECT_EQ(file_out, "ticketlemond: error: " + file + ":2: [daemon] listen: " + kListenWhy +
                          "'[::1:45465'\n");
}

TEST(DaemonListen, BracketedIpv6AddressIsServed) {
  TestEnv env;
  const int port = testing::free_port();
  TempDir t;
  Background daemon({tool_path("ticketlemond"), "--listen", "[::1]:" + std::to_string(port)},
                    {{"TL_CONFIG", env.config_file()}}, t.path() + "/daemon.log");
  const bool listening = eventually(
      [&] {
        const int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        a.sin6_addr = in6addr_loopback;
        a.sin6_port = htons(static_cast<uint16_t>(port));
        const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        close(fd);
        return ok;
      },
      10000);
  EXPECT_TRUE(listening) << daemon.log();
  EXPECT_EQ(http_get(port, "/healthz").first, 0) << "not on 127.0.0.1";
}

// Holds of a concert still in PROCESS in MySQL.
int64_t processing(Context& ctx, const Concert& c) {
  return testing::scalar_sql(
      ctx, "SELECT COUNT(*) FROM TICKETS WHERE status = 'PROCESS' AND concert_id = " +
               std::to_string(c.id));
}

// /metrics counts the scans at the gate by result, online ones and those of
// a synced journal, from the audit log.
TEST(DaemonMetrics, CountsTheScansAtTheGateByResult) {
  TestEnv env;
  TempDir keys;
  ASSERT_TRUE(generate_key_pair("M1", keys.path()).ok());
  Config config = env.config();
  config.passes.signing_key_file = keys.path() + "/M1.key";
  config.passes.verify_keys_file = keys.path() + "/M1.pub";
  Context ctx(config);
  Concert c = testing::make_concert(ctx, {2, 5, 0, 300, 1});
  std::vector<std::string> codes, passes;
  for (const char* seat : {"A1", "A2", "A3", "A4"}) {
    auto t = buy(ctx, testing::buyer(c, seat, std::string("METRIC") + seat));
    ASSERT_TRUE(t.ok()) << t.error().message();
    ASSERT_TRUE(pay(ctx, {t->code, "DIRECT", "M-" + t->code}).ok());
    codes.push_back(t->code);
    passes.push_back(*issue_pass(ctx, t->code));
  }
  Daemon daemon(env.config_file());
  ASSERT_TRUE(eventually([&] { return daemon.healthz() == 200; }, 10000)) << daemon.process().log();
  auto metric = [&](const std::string& result) {
    return daemon.metric("tl_checkins_total{result=\"" + result + "\"}");
  };
  EXPECT_EQ(metric("admitted"), "0");

  // Online: admitted, a second scan, a cancelled ticket.
  ASSERT_EQ(check_in(ctx, passes[0], "North", std::nullopt)->result, Checkin::Result::kAdmitted);
  ASSERT_EQ(check_in(ctx, passes[0], "South", std::nullopt)->result, Checkin::Result::kAlready);
  ASSERT_TRUE(cancel(ctx, codes[1], "refunded").ok());
  ASSERT_EQ(check_in(ctx, passes[1], "North", std::nullopt)->result, Checkin::Result::kRevoked);
  // Offline: a pass admitted online already, one cancelled meanwhile, one new.
  const VerifyKeys verify = *load_verify_keys(config.passes.verify_keys_file);
  OfflineGate gate;
  gate.journal = keys.path() + "/east.journal";
  for (int i : {0, 2, 3})
    ASSERT_EQ(check_in_offline(verify, passes[i], "East", gate)->result,
              Checkin::Result::kAdmitted);
  ASSERT_TRUE(cancel(ctx, codes[2], "refunded").ok());
  ASSERT_TRUE(sync_journal(ctx, gate.journal).ok());

  const std::map<std::string, std::string> expected = {{"admitted", "2"},
                                                       {"admitted_while_revoked", "1"},
                                                       {"already", "1"},
                                                       {"revoked", "1"},
                                                       {"conflict", "1"}};
  EXPECT_TRUE(eventually(
      [&] {
        for (const auto& [result, n] : expected)
          if (metric(result) != n) return false;
        return true;
      },
      10000))
      << http_get(daemon.port(), "/metrics").second;
  // The seats of the concert by zone and state, as Redis has them: A1 and
  // A4 sold, A2 and A3 cancelled and free again.
  auto seats = [&](const char* zone, const char* state) {
    return daemon.metric("tl_concert_seats{concert=\"" + c.slug + "\",zone=\"" + zone +
                         "\",state=\"" + state + "\"}");
  };
  EXPECT_TRUE(eventually(
      [&] {
        return seats("buy", "sold") == "2" && seats("buy", "held") == "0" &&
               seats("buy", "free") == "8" && seats("free", "free") == "0";
      },
      10000))
      << http_get(daemon.port(), "/metrics").second;
}

TEST(DaemonHealth, WrongMysqlPasswordAfterSighupIsUnhealthyUntilFixed) {
  TestEnv env;
  OwnFiles files(env);
  auto ctx = env.context();
  const std::string good = read_file(files.mysql_password());
  const std::string wrong = testing::random_suffix(32) + "\n";
  Daemon daemon(files.config_file());
  ASSERT_TRUE(eventually([&] { return daemon.healthz() == 200; }, 10000)) << daemon.process().log();
  EXPECT_EQ(daemon.metric("tl_mysql_up"), "1");

  rewrite(files.mysql_password(), wrong);
  daemon.process().signal(SIGHUP);
  EXPECT_TRUE(eventually(
      [&] { return daemon.healthz() == 503 && daemon.metric("tl_mysql_up") == "0"; }, 5000))
      << daemon.process().log();
  const auto [status, body] = http_get(daemon.port(), "/healthz");
  EXPECT_EQ(status, 503);
  EXPECT_EQ(body.rfind("mysql down\nredis up\npasses failing: ", 0), 0u) << body;
  EXPECT_EQ(daemon.metric("tl_passes_ok"), "0");

  // Holds run past their deadline meanwhile: nobody can expire them.
  Concert c = testing::make_concert(*ctx, {1, 5, 0, 1, 1});
  auto t = buy(*ctx, testing::buyer(c, "A1", "HEALTH01"));
  ASSERT_TRUE(t.ok()) << t.error().message();
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  EXPECT_EQ(processing(*ctx, c), 1);
  EXPECT_EQ(daemon.healthz(), 503);

  rewrite(files.mysql_password(), good);
  daemon.process().signal(SIGHUP);
  EXPECT_TRUE(eventually(
      [&] { return daemon.healthz() == 200 && daemon.metric("tl_mysql_up") == "1"; }, 10000))
      << daemon.process().log();
  EXPECT_TRUE(eventually([&] { return processing(*ctx, c) == 0; }, 10000))
      << "the hold expires again";
  EXPECT_TRUE(eventually([&] { return testing::redis_taken(*ctx, c).empty(); }, 10000));

  const std::string log = daemon.process().log();
  const std::string changed =
      "SIGHUP: [mysql] password_file " + files.mysql_password() + ": contents changed";
  const auto first = log.find(changed);
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_NE(log.find(changed, first + 1), std::string::npos) << "the fix is logged too: " << log;
  EXPECT_EQ(log.find("nothing changed"), std::string::npos) << log;
  EXPECT_EQ(log.find(wrong.substr(0, 32)), std::string::npos) << "never the value";
  EXPECT_EQ(log.find(good.substr(0, good.size() - 1)), std::string::npos) << "never the value";
}

TEST(DaemonHealth, WrongRedisPasswordAfterSighupIsUnhealthyUntilFixed) {
  TestEnv env;
  OwnFiles files(env);
  const std::string good = read_file(files.redis_password());
  Daemon daemon(files.config_file());
  ASSERT_TRUE(eventually([&] { return daemon.healthz() == 200; }, 10000)) << daemon.process().log();
  EXPECT_EQ(daemon.metric("tl_redis_up"), "1");

  rewrite(files.redis_password(), testing::random_suffix(32) + "\n");
  daemon.process().signal(SIGHUP);
  EXPECT_TRUE(eventually(
      [&] { return daemon.healthz() == 503 && daemon.metric("tl_redis_up") == "0"; }, 5000))
      << daemon.process().log();
  EXPECT_EQ(http_get(daemon.port(), "/healthz").second.rfind("mysql up\nredis down\n", 0), 0u);

  rewrite(files.redis_password(), good);
  daemon.process().signal(SIGHUP);
  EXPECT_TRUE(eventually(
      [&] { return daemon.healthz() == 200 && daemon.metric("tl_redis_up") == "1"; }, 10000))
      << daemon.process().log();
  EXPECT_NE(daemon.process().log().find("SIGHUP: [redis] password_file " + files.redis_password() +
                                        ": contents changed"),
            std::string::npos)
      << daemon.process().log();
}

TEST(DaemonSecret, WeakSecretIsExit8AtStartAndRefusedOnSighup) {
  TestEnv env;
  OwnFiles files(env);
  const std::string good = read_file(files.secret());
  rewrite(files.secret(), std::string(16, ' ') + "\n");
  auto [code, out] = run_briefly({}, {{"TL_CONFIG", files.config_file()}});
  EXPECT_EQ(code, 8) << out;
  EXPECT_EQ(out, "ticketlemond: error: the secret in " + files.secret() +
                     " is too weak (only 1 distinct byte, at least 10 needed); make one with: "
                     "openssl rand -hex 32\n");

  rewrite(files.secret(), good);
  Daemon daemon(files.config_file());
  ASSERT_TRUE(eventually([&] { return daemon.healthz() == 200; }, 10000)) << daemon.process().log();
  rewrite(files.secret(), "abababababababababababababababababababab\n");
  daemon.process().signal(SIGHUP);
  const std::string refused = "SIGHUP: configuration not reloaded: the secret in " +
                              files.secret() +
                              " is too weak (only 2 distinct bytes, at least 10 needed)";
  EXPECT_TRUE(
      eventually([&] { return daemon.process().log().find(refused) != std::string::npos; }, 5000))
      << daemon.process().log();
  EXPECT_EQ(daemon.healthz(), 200) << "the running configuration is kept";

  const std::string rotated = testing::random_suffix(64) + "\n";
  rewrite(files.secret(), std::string("0123456789abcdef") + rotated);
  daemon.process().signal(SIGHUP);
  const std::string changed =
      "SIGHUP: [security] secret_file " + files.secret() + ": contents changed";
  EXPECT_TRUE(
      eventually([&] { return daemon.process().log().find(changed) != std::string::npos; }, 5000))
      << daemon.process().log();
  EXPECT_EQ(daemon.process().log().find(rotated.substr(0, 64)), std::string::npos)
      << "never the value";
}

// What a raw client gets back: everything until the daemon closes, and
// whether the connection was reset instead.
struct RawAnswer {
  std::string data;
  bool reset = false;
};

// Sends `bytes` without closing the sending side, then reads until the
// daemon closes (at most 15 seconds).
RawAnswer exchange(int port, const std::string& bytes) {
  RawAnswer out;
  const int fd = testing::connect_loopback(port);
  if (fd < 0) {
    out.reset = true;
    return out;
  }
  timeval tv{15, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (!bytes.empty()) (void)send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  char buf[4096];
  while (true) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      out.data.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == ECONNRESET) out.reset = true;
    break;
  }
  close(fd);
  return out;
}

class DaemonHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(env_.config_file());
    ASSERT_TRUE(eventually([&] { return daemon_->healthz() != 0; }, 10000))
        << daemon_->process().log();
  }
  // Expects the answer to `bytes` to start with `status_line` and to end in
  // an orderly close.
  void expect_answer(const std::string& what, const std::string& bytes,
                     const std::string& status_line) {
    const RawAnswer a = exchange(daemon_->port(), bytes);
    EXPECT_FALSE(a.reset) << what << ": connection reset after '" << a.data << "'";
    EXPECT_EQ(a.data.substr(0, status_line.size()), status_line) << what << ": " << a.data;
    EXPECT_NE(a.data.find("\r\nConnection: close\r\n"), std::string::npos)
        << what << ": " << a.data;
  }

  TestEnv env_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(DaemonHttp, MalformedRequestsGetAStatusLineAndAClose) {
  std::string garbage = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
  for (int i = 0; i < 200; ++i) garbage += static_cast<char>((i * 37) & 0xff);
  expect_answer("garbage bytes", garbage, "HTTP/1.1 400 Bad Request\r\n");
  expect_answer("bad request line", "GARBAGE\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n");
  expect_answer("bad version", "GET /healthz HTTP/9.x\r\nHost: x\r\n\r\n",
                "HTTP/1.1 400 Bad Request\r\n");
  expect_answer("header without a colon", "GET /healthz HTTP/1.1\r\nHost x\r\n\r\n",
                "HTTP/1.1 400 Bad Request\r\n");
  expect_answer("space in a header name",
                "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n",
                "HTTP/1.1 400 Bad Request\r\n");
  expect_answer(
      "oversized head",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(9000, 'a') + "\r\n\r\n",
      "HTTP/1.1 431 Request Header Fields Too Large\r\n");
  expect_answer(
      "body on a GET",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + std::string(4000, 'b'),
      "HTTP/1.1 413 Payload Too Large\r\n");
  expect_answer("POST", "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
                "HTTP/1.1 405 Method Not Allowed\r\n");
  expect_answer("a good request", "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
                "HTTP/1.1 200 OK\r\n");
  EXPECT_NE(daemon_->healthz(), 0) << "still serving";
}

TEST_F(DaemonHttp, SlowClientIsTimedOut) {
  const auto start = std::chrono::steady_clock::now();
  const RawAnswer a = exchange(daemon_->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(a.reset) << a.data;
  EXPECT_EQ(a.data.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << a.data;
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_NE(daemon_->healthz(), 0) << "still serving";
}

}  // namespace
}  // namespace ticket
