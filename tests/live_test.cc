// The live seat feed of a real ticketlemond, followed by a real WebSocket
// client (Debian's python3-websockets, tests/scripts/live_follow.py): its
// map at the end of an on-sale equals /seats, tl-status --map and MySQL,
// seat by seat; a gap in the changes brings a new snapshot; the feed is
// refused without the token or from a foreign page.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <random>
#include <set>
#include <thread>

#include "db.h"
#include "redis.h"
#include "support/daemon.h"
#include "support/process.h"
#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/buy.h"
#include "ticket/cancel.h"
#include "ticket/pay.h"
#include "ticket/seat_label.h"
#include "ticket/seat_map.h"
#include "ticket/seat_map_writes.h"

namespace ticket {
namespace {

using nlohmann::json;
using testing::Background;
using testing::buyer;
using testing::Daemon;
using testing::eventually;
using testing::http_exchange;
using testing::make_concert;
using testing::read_file;
using testing::redis_do;
using testing::redis_keys;
using testing::redis_subscribers;
using testing::run_tool;
using testing::TempDir;
using testing::TestEnv;
using testing::ToolRun;

constexpr const char* kToken = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978";

class LiveFeed : public testing::DaemonTest {
 protected:
  LiveFeed()
      : DaemonTest([](const TempDir& dir) {
          return "[daemon]\napi_token_file = \"" +
                 dir.write("api.token", std::string(kToken) + "\n", 0600) +
                 "\"\nallowed_origins = \"https://box.example.com\"\n";
        }) {}

  std::string url(const Concert& c) const {
    return "ws://127.0.0.1:" + std::to_string(daemon_->port()) + "/api/v1/concerts/" + c.slug +
           "/live";
  }

  // A follower of `c` that stops once it has applied the generation written
  // to its stop file (stop()), or after 120 s.
  struct Follower {
    std::unique_ptr<Background> process;
    std::string stop_file, log;
  };
  Follower follow(const Concert& c, const std::string& name) {
    Follower f;
    f.stop_file = dir_.path() + "/" + name + ".stop";
    f.log = dir_.path() + "/" + name + ".log";
    f.process = std::make_unique<Background>(
        std::vector<std::string>{std::string(TL_SOURCE_DIR) + "/tests/scripts/live_follow.py",
                                 url(c), kToken, "120", "--until-file", f.stop_file},
        std::map<std::string, std::string>{}, f.log);
    EXPECT_TRUE(
        eventually([&] { return read_file(f.log).find("ready") != std::string::npos; }, 20000))
        << read_file(f.log);
    return f;
  }
  // What the follower holds once it has applied generation `gen`.
  json finish(Follower& f, int64_t gen) {
    dir_.write(f.stop_file.substr(dir_.path().size() + 1), std::to_string(gen) + "\n", 0600);
    EXPECT_EQ(f.process->wait(), 0) << read_file(f.log);
    const std::string out = read_file(f.log);
    const size_t last = out.rfind('{');
    return json::parse(last == std::string::npos ? "" : out.substr(last), nullptr, false);
  }

  json seats(const Concert& c) {
    auto [status, body] =
        http_exchange(daemon_->port(), "GET /api/v1/concerts/" + c.slug +
                                           "/seats HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                           kToken + "\r\n\r\n");
    EXPECT_EQ(status, 200) << body;
    return json::parse(body, nullptr, false);
  }

  // The paid zone as MySQL has it: X for a seat of a paid ticket, o held.
  std::string mysql_map(const Concert& c) {
    std::string map(static_cast<size_t>(c.layout.paid_seats()), '.');
    Db& db = **ctx_->db();
    auto s = db.transaction([&]() -> Status {
      auto& stmt = db.prepare(
          "SELECT seat_row, seat_number, status FROM TICKET_SEATS WHERE concert_id = ? AND "
          "zone = 'BUY' AND active = 1");
      stmt.setUInt64(1, c.id);
      ResultSetPtr rs = db.query(stmt);
      while (rs->next()) {
        const size_t i =
            static_cast<size_t>(rs->getInt(1) * c.layout.seats_per_row + rs->getInt(2) - 1);
        map[i] = std::string(rs->getString(3)) == "SUCCESS" ? 'X' : 'o';
      }
      return {};
    });
    EXPECT_TRUE(s.ok()) << s.error().message();
    return map;
  }
};

// An on-sale of at least 500 buys by four buyers, each paid, cancelled or
// left to expire (the daemon expires them), followed from before the first
// buy to after the last expiry.
TEST_F(LiveFeed, AFollowerOfAnOnSaleEndsWithTheMapOfMySqlAndTheTools) {
  const Concert c = make_concert(*ctx_, {20, 30, 0, 1, 1});
  Follower follower = follow(c, "sale");
  std::atomic<int> bought{0}, paid{0}, cancelled{0};
  std::vector<std::thread> buyers;
  for (int t = 0; t < 4; ++t) {
    buyers.emplace_back([&, t] {
      auto ctx = env_.context();
      std::mt19937 rng(static_cast<unsigned>(t * 7919 + 1));
      int mine = 0;
      for (int n = 0; mine < 130 && n < 5000; ++n) {
        const Seat seat = seat_at(Zone::kBuy, static_cast<int>(rng() % 600), c.layout);
        const std::string id = "LIVE" + std::to_string(t) + "X" + std::to_string(n);
        auto ticket = buy(*ctx, buyer(c, seat_label(seat), id));
        if (!ticket.ok()) continue;  // the seat is taken: another buyer's
        ++bought;
        ++mine;
        switch (rng() % 3) {
          case 0:
            if (pay(*ctx, {ticket->code, "DIRECT", "LV-" + id}).ok()) ++paid;
            break;
          case 1:
            if (cancel(*ctx, ticket->code, "changed plans").ok()) ++cancelled;
            break;
          default: break;  // left to expire
        }
      }
    });
  }
  for (auto& b : buyers) b.join();
  ASSERT_GE(bought.load(), 500) << "an on-sale of at least 500 buys";
  // Every hold left has run out and the daemon has released it.
  ASSERT_TRUE(eventually(
      [&] { return seats(c)["buy"].get<std::string>().find('o') == std::string::npos; }, 20000));
  const json now = seats(c);
  const json followed = finish(follower, now["gen"].get<int64_t>());
  ASSERT_TRUE(followed.is_object()) << read_file(follower.log);
  EXPECT_EQ(followed["out_of_order"], json::array()) << "every change in order";
  // A follower that fell 1,000 changes behind (a loaded machine) gets a
  // snapshot instead of them: the map must come out the same either way.
  if (followed["snapshots"] == 1) {
    EXPECT_GE(followed["changes"].get<int>(), bought.load() + paid.load()) << "held, then sold";
  }
  EXPECT_EQ(followed["gen"], now["gen"]);
  EXPECT_EQ(followed["buy"], now["buy"]) << "the follower's map is /seats'";
  EXPECT_EQ(now["buy"].get<std::string>(), mysql_map(c)) << "and MySQL's, seat by seat";
  const ToolRun map = run_tool(config_, "tl-status", {"--concert", c.slug, "--map", "--json"});
  ASSERT_EQ(map.exit_code, 0) << map.err;
  std::string tool_map;
  const json rows = json::parse(map.out)["map"]["rows"];
  for (int r = 0; r < c.layout.rows; ++r) tool_map += rows[row_letters(r)].get<std::string>();
  EXPECT_EQ(tool_map, now["buy"].get<std::string>()) << "and tl-status --map's";
  EXPECT_GT(paid.load(), 0);
  EXPECT_GT(cancelled.load(), 0);
}

// A change whose generation skips some (a message lost) and a map rebuilt
// from MySQL after its keys vanished: the follower gets a new snapshot each
// time and ends with the map.
TEST_F(LiveFeed, AGapOrARebuiltMapBringsAFreshSnapshot) {
  const Concert c = make_concert(*ctx_, {2, 10, 0, 300, 1});
  Follower follower = follow(c, "gap");
  ASSERT_TRUE(buy(*ctx_, buyer(c, "A1", "LIVEGAP1")).ok());
  const int64_t gen = seats(c)["gen"].get<int64_t>();
  auto redis = Redis::connect(env_.config().redis);
  ASSERT_TRUE(redis.ok());
  const SeatMapKeys keys = seat_map_keys(*ctx_, c.id);
  const std::string skipped = json{
      {"event", "held"},
      {"ticket", "TB-AAAAAAAA"},
      {"zone", "BUY"},
      {"seats", {5}},
      {"gen", gen + 3}}.dump();
  redis_do(*ctx_, {"PUBLISH", keys.events, skipped});
  // Each fresh snapshot sent before the next step, so that the two are not
  // served by one.
  ASSERT_TRUE(eventually([&] { return daemon_->metric("tl_live_snapshots_total") == "2"; }, 10000));
  ASSERT_TRUE(buy(*ctx_, buyer(c, "A2", "LIVEGAP2")).ok());
  // The map's keys vanish (as when Redis is wiped): the next read rebuilds it.
  std::vector<std::string> del = {"DEL"};
  for (std::string& key : redis_keys(*ctx_, env_.prefix() + ":{c" + std::to_string(c.id) + "}:*"))
    del.push_back(std::move(key));
  ASSERT_GT(del.size(), 1u);
  ASSERT_TRUE((*redis)->command(del).ok());
  ASSERT_TRUE(buy(*ctx_, buyer(c, "A3", "LIVEGAP3")).ok());
  ASSERT_TRUE(eventually(
      [&] { return std::stoi("0" + daemon_->metric("tl_live_snapshots_total")) >= 3; }, 10000));
  const json now = seats(c);
  const json followed = finish(follower, now["gen"].get<int64_t>());
  ASSERT_TRUE(followed.is_object()) << read_file(follower.log);
  EXPECT_GE(followed["snapshots"].get<int>(), 3) << "the first, after the gap, after the rebuild";
  EXPECT_EQ(followed["buy"], now["buy"]);
  EXPECT_EQ(now["buy"].get<std::string>().substr(0, 4), "ooo.") << "A1 to A3 held; not A6";
}

// The feed needs the token (a header, or access_token for a browser's
// WebSocket), and a page of another origin may not open it.
TEST_F(LiveFeed, RefusedWithoutTheTokenOrFromAForeignPage) {
  const Concert c = make_concert(*ctx_, {1, 5});
  const std::string path = "/api/v1/concerts/" + c.slug + "/live";
  // The status line of the answer to an upgrade (the connection stays open
  // after a 101: only the head is read).
  auto upgrade = [&](const std::string& target, const std::string& headers) {
    const std::string request = "GET " + target +
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                                "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
                                headers + "\r\n";
    const int fd = testing::connect_loopback(daemon_->port());
    if (fd < 0) return std::string();
    (void)!write(fd, request.data(), request.size());
    std::string head;
    char ch;
    while (head.find("\r\n\r\n") == std::string::npos && read(fd, &ch, 1) == 1) head += ch;
    close(fd);
    return head.substr(0, 12);
  };
  const std::string bearer = std::string("Authorization: Bearer ") + kToken + "\r\n";
  EXPECT_EQ(upgrade(path, ""), "HTTP/1.1 401");
  EXPECT_EQ(upgrade(path, "Authorization: Bearer wrong-wrong-wrong-wrong-wrong-wrong\r\n"),
            "HTTP/1.1 401");
  EXPECT_EQ(upgrade(path, bearer + "Origin: https://evil.example\r\n"), "HTTP/1.1 403");
  EXPECT_EQ(upgrade(path, bearer + "Origin: http://127.0.0.1\r\n"), "HTTP/1.1 101")
      << "the page's own origin";
  EXPECT_EQ(upgrade(path, bearer + "Origin: https://box.example.com\r\n"), "HTTP/1.1 101")
      << "an allowed origin";
  EXPECT_EQ(upgrade(path + "?access_token=" + kToken, ""), "HTTP/1.1 101");
  EXPECT_EQ(upgrade("/api/v1/concerts/no-such-concert/live", bearer), "HTTP/1.1 404");
  auto [status, body] =
      http_exchange(daemon_->port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + bearer + "\r\n");
  EXPECT_EQ(status, 400) << "not an upgrade: " << body;
  EXPECT_EQ(daemon_->healthz(), 200);
}

// A client that stops reading: once the kernel's buffers are full its
// changes queue up, it is cut over to a snapshot at 1,000 behind and closed
// after 10 s without a write done; a reading follower of the same concert
// meanwhile gets every change in order.
TEST_F(LiveFeed, AClientThatStopsReadingIsCutOverThenClosedAndDelaysNobody) {
  const Concert c = make_concert(*ctx_, {50, 100, 0, 3600, 1});
  Follower reader = follow(c, "reader");
  const int stalled = testing::connect_loopback(daemon_->port());
  ASSERT_GE(stalled, 0);
  const int small = 4096;
  setsockopt(stalled, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  const std::string upgrade = "GET /api/v1/concerts/" + c.slug +
                              "/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                              "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: "
                              "Bearer " +
                              std::string(kToken) + "\r\n\r\n";
  ASSERT_EQ(write(stalled, upgrade.data(), upgrade.size()), static_cast<ssize_t>(upgrade.size()));
  ASSERT_TRUE(eventually([&] { return daemon_->metric("tl_live_clients") == "2"; }, 10000));
  {
    // One subscription of the daemon feeds both.
    EXPECT_EQ(redis_subscribers(*ctx_, seat_map_keys(*ctx_, c.id).events), 1)
        << "one subscription for both clients";
  }
  // Changes enough to fill the kernel's buffers and then 1,000 more: holds
  // of single seats, made in Redis alone.
  const Millis deadline = wall_clock_ms() + 3600 * 1000;
  for (int i = 0; i < 5000; ++i) {
    auto held = hold_seats(*ctx_, c, "TB-" + std::to_string(10000000 + i), deadline, {i});
    ASSERT_TRUE(held.ok()) << held.error().message();
  }
  EXPECT_TRUE(eventually(
      [&] { return std::stoi("0" + daemon_->metric("tl_live_cut_overs_total")) >= 1; }, 10000))
      << "its backlog dropped for a snapshot";
  const std::string snapshots = daemon_->metric("tl_live_snapshots_total");
  EXPECT_TRUE(
      eventually([&] { return daemon_->metric("tl_live_closed_slow_total") == "1"; }, 20000))
      << "closed after 10 s without a write done";
  EXPECT_TRUE(eventually([&] { return daemon_->metric("tl_live_clients") == "1"; }, 5000));
  close(stalled);
  const json now = seats(c);
  const json followed = finish(reader, now["gen"].get<int64_t>());
  ASSERT_TRUE(followed.is_object()) << read_file(reader.log);
  EXPECT_EQ(std::stoi(snapshots), followed["snapshots"].get<int>() + 1)
      << "the stalled client had its first snapshot, and no more while it did not read";
  if (followed["snapshots"] == 1) {
    EXPECT_EQ(followed["changes"], 5000);
  }
  EXPECT_EQ(followed["out_of_order"], json::array());
  EXPECT_EQ(followed["buy"], now["buy"]);
}

// The dashboard in headless Chromium during a sale: the page shows the
// seats changing as they are bought (read from its DOM every half second
// over the DevTools protocol) and ends with the map of /seats, and it shows
// the report's four charts. The screenshot is kept in the build tree
// (tests/artifacts/dashboard.png).
TEST_F(LiveFeed, ChromiumShowsTheSeatsChangingOnTheDashboard) {
  const Concert c = make_concert(*ctx_, {4, 10, 2, 300, 1});
  TempDir browser;
  const int devtools = testing::free_port();
  Background chromium({"/usr/bin/chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                       "--disable-dev-shm-usage", "--hide-scrollbars",
                       "--user-data-dir=" + browser.path() + "/profile",
                       "--remote-debugging-port=" + std::to_string(devtools), "about:blank"},
                      {{"HOME", browser.path()},
                       {"XDG_CONFIG_HOME", browser.path() + "/config"},
                       {"XDG_CACHE_HOME", browser.path() + "/cache"}},
                      browser.path() + "/chromium.log");
  const std::string artifacts = std::string(TL_BUILD_DIR) + "/tests/artifacts";
  testing::shell("mkdir -p '" + artifacts + "'");
  const std::string png = artifacts + "/dashboard.png";
  std::remove(png.c_str());
  const std::string page = "http://127.0.0.1:" + std::to_string(daemon_->port()) +
                           "/#token=" + kToken + "&concert=" + c.slug;
  const std::string log = browser.path() + "/watch.log";
  Background watcher({std::string(TL_SOURCE_DIR) + "/tests/scripts/dashboard_watch.py",
                      std::to_string(devtools), page, "9", png},
                     {}, log);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  int bought = 0;
  for (int i = 0; i < 12; ++i) {
    const std::string seat = i < 10 ? "B" + std::to_string(i + 1) : "C" + std::to_string(i - 9);
    if (buy(*ctx_, buyer(c, seat, "DASH" + std::to_string(i))).ok()) ++bought;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(bought, 12);
  ASSERT_EQ(watcher.wait(), 0) << read_file(log) << read_file(browser.path() + "/chromium.log");
  chromium.signal(SIGTERM);
  const std::string out = read_file(log);
  const json watched =
      json::parse(out.substr(out.rfind('{') == std::string::npos ? 0 : out.rfind("{\"samples\"")),
                  nullptr, false);
  ASSERT_TRUE(watched.is_object()) << out;
  const json& samples = watched["samples"];
  ASSERT_GE(samples.size(), 4u) << out;
  EXPECT_EQ(samples.front()["changes"], 0) << "the page opened before the first buy";
  std::set<std::string> maps;
  for (const json& sample : samples) maps.insert(sample["map"].get<std::string>());
  EXPECT_GE(maps.size(), 3u) << "the map changed while the page was open: " << out;
  EXPECT_EQ(samples.back()["changes"], 12);
  EXPECT_EQ(samples.back()["map"], seats(c)["buy"]) << "and ends as /seats";
  EXPECT_EQ(watched["report_charts"], 4) << "the report's charts";
  EXPECT_NE(watched["counts"].get<std::string>().find("held 12"), std::string::npos)
      << watched["counts"];
  std::string why;
  const auto ink = testing::png_ink(png, &why);
  ASSERT_TRUE(ink) << why;
  EXPECT_GT(ink->colored, 2000) << "the map's and the charts' colours are on it";
}

}  // namespace
}  // namespace ticket
