// The read API of a real ticketlemond (GET /api/v1/...): the same JSON the
// tools print, behind a bearer token, every refusal a status and a JSON
// error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "support/daemon.h"
#include "support/process.h"
#include "support/sale.h"
#include "support/servers.h"
#include "ticket/buy.h"
#include "ticket/pay.h"

namespace ticket {
namespace {

using nlohmann::json;
using testing::buyer;
using testing::Daemon;
using testing::eventually;
using testing::http_exchange;
using testing::http_get;
using testing::make_concert;
using testing::read_file;
using testing::run_tool;
using testing::TempDir;
using testing::TestEnv;
using testing::ToolRun;

constexpr const char* kToken = "5f0c2d9e8b7a41c6a3e2d1f0b9c8a7e6d5c4b3a2f1e0d9c8";

class ReadApi : public testing::DaemonTest {
 protected:
  ReadApi()
      : DaemonTest([](const TempDir& dir) {
          return "[daemon]\napi_token_file = \"" +
                 dir.write("api.token", std::string(kToken) + "\n", 0600) + "\"\n";
        }) {}

  // GET `path` with `authorization` ("" sends none): the status and the
  // whole response, head included.
  std::pair<int, std::string> get(const std::string& path,
                                  const std::string& authorization = std::string("Bearer ") +
                                                                     kToken,
                                  const std::string& method = "GET",
                                  const std::string& extra = "") {
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!authorization.empty()) request += "Authorization: " + authorization + "\r\n";
    request += extra + "Connection: close\r\n\r\n";
    return http_exchange(daemon_->port(), request);
  }

  json get_json(const std::string& path) {
    auto [status, body] = get(path);
    EXPECT_EQ(status, 200) << path << ": " << body;
    return json::parse(body, nullptr, false);
  }

  json tool_json(const std::string& tool, std::vector<std::string> args) {
    args.push_back("--json");
    const ToolRun r = run_tool(config_, tool, args);
    EXPECT_EQ(r.exit_code, 0) << tool << ": " << r.err;
    return json::parse(r.out, nullptr, false);
  }

  // The JSON error of a refused request: its code is the status.
  static void expect_error(const std::pair<int, std::string>& r, int status,
                           const std::string& what) {
    EXPECT_EQ(r.first, status) << what << ": " << r.second;
    const json j = json::parse(r.second, nullptr, false);
    ASSERT_TRUE(j.is_object()) << what << ": " << r.second;
    EXPECT_EQ(j["error"]["code"], status) << what;
    EXPECT_TRUE(j["error"]["message"].is_string()) << what;
  }
};

TEST_F(ReadApi, AnswersAsTheToolsDo) {
  const Concert c = make_concert(*ctx_, {2, 5, 3, 300, 2});
  auto sold = buy(*ctx_, buyer(c, "A1", "APIREAD1"));
  ASSERT_TRUE(sold.ok()) << sold.error().message();
  ASSERT_TRUE(pay(*ctx_, {sold->code, "DIRECT", "API-1"}).ok());
  auto held = buy(*ctx_, buyer(c, "B4", "APIREAD2"));
  ASSERT_TRUE(held.ok()) << held.error().message();

  EXPECT_EQ(get_json("/api/v1/concerts"), tool_json("tl-admin", {"concert", "list"}));

  const json status = tool_json("tl-status", {"--concert", c.slug});
  const json concert = get_json("/api/v1/concerts/" + c.slug);
  EXPECT_EQ(concert["buy"], status["buy"]);
  EXPECT_EQ(concert["free_zone"], status["free_zone"]);
  EXPECT_EQ(concert["concert"], tool_json("tl-admin", {"concert", "show", c.slug})["concert"])
      << "the concert's fields";
  EXPECT_EQ(get_json("/api/v1/concerts/" + std::to_string(c.id)), concert) << "by id too";

  const json seats = get_json("/api/v1/concerts/" + c.slug + "/seats");
  EXPECT_EQ(
      seats["concert"],
      (json{{"id", c.id}, {"slug", c.slug}, {"rows", 2}, {"seats_per_row", 5}, {"free_seats", 3}}));
  EXPECT_EQ(seats["buy"], "X.......o.") << "A1 sold, B4 held";
  EXPECT_EQ(seats["free"], "...");
  EXPECT_TRUE(seats["gen"].is_number_integer());

  EXPECT_EQ(get_json("/api/v1/tickets/" + sold->code), tool_json("tl-status", {sold->code}));
  const json ticket = get_json("/api/v1/tickets/" + held->code);
  EXPECT_EQ(ticket["ticket"]["customer"]["id_number"], "****EAD2") << "masked as tl-status does";

  json report = get_json("/api/v1/concerts/" + c.slug + "/report?bucket=1d");
  json printed = tool_json("tl-admin", {"report", "--concert", c.slug, "--bucket", "1d"});
  report.erase("made_at");
  printed.erase("made_at");
  EXPECT_EQ(report, printed) << "the report's JSON";
  EXPECT_EQ(get_json("/api/v1/concerts/" + c.slug + "/report")["bucket"], "1h") << "by default";
}

TEST_F(ReadApi, RefusesWithoutTheTokenAndAnswersEveryErrorInJson) {
  const Concert c = make_concert(*ctx_, {1, 5});
  const std::string path = "/api/v1/concerts/" + c.slug;
  expect_error(get(path, ""), 401, "no token");
  expect_error(get(path, "Bearer not-the-token-at-all-but-long-enough-000"), 401, "a wrong token");
  expect_error(get(path, std::string("Basic ") + kToken), 401, "another scheme");
  EXPECT_NE(
      testing::http_raw(daemon_->port(), "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
          .find("\r\nWWW-Authenticate: Bearer"),
      std::string::npos);
  EXPECT_EQ(get(path, std::string("bearer ") + kToken).first, 200) << "the scheme in any case";
  EXPECT_EQ(http_get(daemon_->port(), "/healthz").first, 200) << "open without a token";
  EXPECT_EQ(http_get(daemon_->port(), "/metrics").first, 200) << "open without a token";
  EXPECT_TRUE(eventually(
      [&] { return daemon_->process().log().find("401 for GET " + path) != std::string::npos; },
      5000))
      << daemon_->process().log();
  EXPECT_EQ(daemon_->process().log().find(kToken), std::string::npos) << "never logged";

  expect_error(get("/api/v1/nothing"), 404, "an unknown path");
  expect_error(get("/api/v2/concerts"), 404, "an unknown version");
  expect_error(get("/api/v1/concerts/no-such-concert"), 404, "an unknown concert");
  expect_error(get("/api/v1/tickets/TB-AAAAAAAA"), 404, "an unknown ticket");
  expect_error(get("/api/v1/tickets/not-a-code"), 400, "not a ticket code");
  expect_error(get(path + "/report?bucket=7x"), 400, "a bad bucket");
  const auto posted =
      get("/api/v1/concerts", std::string("Bearer ") + kToken, "POST", "Content-Length: 0\r\n");
  expect_error(posted, 405, "POST");
  expect_error(get("/api/v1/concerts", std::string("Bearer ") + kToken, "DELETE"), 405, "DELETE");
  expect_error(get("/api/v1/concerts", std::string("Bearer ") + kToken, "GET",
                   "Content-Length: 2048\r\n\r\n" + std::string(2048, 'x')),
               413, "a body on a GET");
  EXPECT_EQ(get("/api/v1/concerts", std::string("Bearer ") + kToken, "GET",
                "X-Padding: " + std::string(9000, 'p') + "\r\n")
                .first,
            431)
      << "a head over 8 KiB";
  EXPECT_EQ(daemon_->healthz(), 200) << "still serving";
}

// [daemon] max_connections: beyond it a new connection is answered 503 at
// once; a malformed request 400.
TEST(ReadApiLimits, ConnectionsBeyondTheLimitAre503AndAMalformedRequest400) {
  TestEnv env;
  Daemon daemon(env.config_file(), {{"TL_DAEMON_MAX_CONNECTIONS", "2"}});
  ASSERT_TRUE(eventually([&] { return daemon.healthz() == 200; }, 10000)) << daemon.process().log();
  // Two connections that send nothing (each held until its 5 s read timeout).
  const int first = testing::connect_loopback(daemon.port());
  const int second = testing::connect_loopback(daemon.port());
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  EXPECT_TRUE(eventually([&] { return daemon.healthz() == 503; }, 3000))
      << "a third connection, beyond max_connections = 2";
  close(first);
  close(second);
  EXPECT_TRUE(eventually([&] { return daemon.healthz() == 200; }, 10000)) << "served again";
  auto [status, body] =
      http_exchange(daemon.port(), "GET /api/v1/concerts HTTP/1.1\r\nno colon here\r\n\r\n");
  EXPECT_EQ(status, 400) << body;
}

// Without a token the API is served on loopback only: another address is a
// configuration error at the start, as is a token file others can read or
// a short token.
TEST(ReadApiStart, ANonLoopbackAddressNeedsAGoodTokenFile) {
  TestEnv env;
  TempDir dir;
  const int port = testing::free_port();
  auto start = [&](const std::string& daemon_section) {
    const std::string config =
        dir.write("ticketlemon.toml", read_file(env.config_file()) + "\n" + daemon_section);
    return testing::run({testing::tool_path("ticketlemond"), "--config", config, "--listen",
                         "0.0.0.0:" + std::to_string(port)});
  };
  const ToolRun open = start("");
  EXPECT_EQ(open.exit_code, 8) << open.err;
  EXPECT_NE(open.err.find("not a loopback address"), std::string::npos) << open.err;
  EXPECT_EQ(testing::line_count(open.err), 1) << open.err;

  const std::string readable = dir.write("readable.token", std::string(kToken) + "\n", 0644);
  const ToolRun shared = start("[daemon]\napi_token_file = \"" + readable + "\"\n");
  EXPECT_EQ(shared.exit_code, 8) << shared.err;
  EXPECT_EQ(testing::line_count(shared.err), 1) << shared.err;

  const std::string short_token = dir.write("short.token", "abc123\n", 0600);
  const ToolRun weak = start("[daemon]\napi_token_file = \"" + short_token + "\"\n");
  EXPECT_EQ(weak.exit_code, 8) << weak.err;
  EXPECT_NE(weak.err.find("at least 32"), std::string::npos) << weak.err;
  EXPECT_EQ(testing::line_count(weak.err), 1) << weak.err;
}

}  // namespace
}  // namespace ticket
