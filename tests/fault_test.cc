// Faults, each actor a real process: a tool killed between its Redis and
// MySQL steps, Redis flushed or restarted and MySQL restarted mid-sale, the
// daemon killed mid-batch, two daemons at once, reconcile --repair looping
// through a live sale. Nothing may be sold twice, nothing may stay stuck.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "redis.h"
#include "support/daemon.h"
#include "support/process.h"
#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/availability.h"
#include "ticket/buy.h"
#include "ticket/cancel.h"
#include "ticket/checkin.h"
#include "ticket/passes.h"
#include "ticket/pay.h"
#include "ticket/reconcile.h"
#include "ticket/seat_map.h"
#include "ticket/seat_map_events.h"
#include "ticket/webhook.h"

namespace ticket {
namespace {

using testing::buyer;
using testing::count_of;
using testing::double_bookings;
using testing::eventually;
using testing::http_get;
using testing::make_concert;
using testing::mysql_taken;
using testing::PrivateSandbox;
using testing::ProcessSale;
using testing::redis_do;
using testing::redis_taken;
using testing::run_tool;
using testing::scalar_sql;
using testing::TempDir;
using testing::TestEnv;
using testing::ToolRun;

// A count. A connection that a server restart broke is noticed (and dropped)
// by a first query whose failure does not count.
int64_t count(Context& ctx, const std::string& sql) {
  auto db = ctx.db();
  if (!db.ok()) db = ctx.db();
  (void)(*db)->transaction([&]() -> Status {
    (*db)->query((*db)->prepare("SELECT 1"));
    return {};
  });
  return scalar_sql(**db, sql);
}

// ticketlemond on a test environment, reconciling every second unless
// `extra` says otherwise.
class Daemon : public testing::Daemon {
 public:
  explicit Daemon(const TestEnv& env, std::map<std::string, std::string> extra = {})
      : testing::Daemon(env.config_file(), reconciling_every_second(std::move(extra))) {}

 private:
  static std::map<std::string, std::string> reconciling_every_second(
      std::map<std::string, std::string> env) {
    env.try_emplace("TL_DAEMON_RECONCILE_INTERVAL_S", "1");
    return env;
  }
};

std::vector<Ticket> buy_many(Context& ctx, const Concert& c, int n, const std::string& prefix) {
  std::vector<Ticket> out;
  for (int i = 0; i < n; ++i) {
    auto t = buy(
        ctx, buyer(c, seat_label(seat_at(Zone::kBuy, i, c.layout)), prefix + std::to_string(i)));
    EXPECT_TRUE(t.ok()) << t.error().message();
    if (t.ok()) out.push_back(*t);
  }
  return out;
}

TEST(Fault, KilledBuyLeavesNoSeatStuckAfterItsDeadline) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {1, 5, 0, 1, 1});
  ToolRun killed = run_tool(env.config_file(), "tl-buy",
                            {"--concert", c.slug, "--seat", "A2", "--name", "Kay", "--age", "40",
                             "--gender", "male", "--id-number", "KILLED01"},
                            {{"TL_FAILPOINT", "buy-after-hold"}});
  EXPECT_EQ(killed.exit_code, 128 + SIGKILL);
  EXPECT_EQ(redis_taken(*ctx, c), std::set<int>{1}) << "the hold was made";
  EXPECT_EQ(count(*ctx, "SELECT COUNT(*) FROM TICKETS"), 0) << "the ticket was not";
  Daemon daemon(env);
  EXPECT_TRUE(eventually([&] { return redis_taken(*ctx, c).empty(); }, 10000))
      << daemon.process().log();
  EXPECT_TRUE(buy(*ctx, buyer(c, "A2", "NEXT0001")).ok());
}

TEST(Fault, KilledPayLeavesTheSeatSold) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {1, 5, 0, 1, 1});
  auto t = buy(*ctx, buyer(c, "A4", "PAYER001"));
  ASSERT_TRUE(t.ok());
  ToolRun killed =
      run_tool(env.config_file(), "tl-pay", {t->code, "--platform", "DIRECT", "--reference", "K-1"},
               {{"TL_FAILPOINT", "pay-after-commit"}});
  EXPECT_EQ(killed.exit_code, 128 + SIGKILL);
  EXPECT_EQ(find_ticket(*ctx, t->code)->status, TicketStatus::kSuccess);
  Daemon daemon(env);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past the deadline
  auto a = availability(*ctx, c.slug, false);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->buy_sold, 1);
  EXPECT_EQ(a->buy_held, 0) << "the hold was confirmed, not left to expire";
  EXPECT_EQ(redis_taken(*ctx, c), std::set<int>{3});
  EXPECT_EQ(find_ticket(*ctx, t->code)->status, TicketStatus::kSuccess);
  EXPECT_EQ(count(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'expired'"), 0);
}

TEST(Fault, DaemonKilledMidBatchThenRestartedExpiresEachHoldOnce) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {10, 30, 0, 1, 1});
  const auto tickets = buy_many(*ctx, c, 300, "MID");
  ASSERT_EQ(tickets.size(), 300u);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  {
    Daemon dying(env, {{"TL_FAILPOINT", "expire-after-commit"}});
    auto code = dying.process().wait_for(15000);
    ASSERT_TRUE(code.has_value()) << dying.process().log();
    EXPECT_EQ(*code, 128 + SIGKILL);
  }
  // Killed after committing its first transaction, before releasing.
  const int64_t expired_first = count(*ctx, "SELECT COUNT(*) FROM TICKETS WHERE status = 'FAIL'");
  EXPECT_GT(expired_first, 0);
  EXPECT_LT(expired_first, 300);
  EXPECT_EQ(redis_taken(*ctx, c).size(), 300u);
  Daemon daemon(env);
  EXPECT_TRUE(eventually([&] { return redis_taken(*ctx, c).empty(); }, 15000))
      << daemon.process().log();
  EXPECT_EQ(
      count(*ctx, "SELECT COUNT(*) FROM TICKETS WHERE status = 'FAIL' AND reason = 'EXPIRED'"),
      300);
  EXPECT_EQ(count(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'expired'"), 300);
  EXPECT_EQ(count(*ctx,
                  "SELECT COUNT(*) FROM (SELECT ticket_code FROM AUDIT_LOG WHERE action = 'expired'"
                  " GROUP BY ticket_code HAVING COUNT(*) > 1) d"),
            0);
  auto r = reconcile(*ctx, c, false);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->drift());
}

// Two daemons, 2,000 holds running out together: each expires once. Prints
// the release lag after the deadline as both daemons measured it.
TEST(Fault, TwoDaemonsExpireEachHoldExactlyOnce) {
  TestEnv env;
  auto ctx = env.context();
  constexpr int kHolds = 2000;
  Concert c = make_concert(*ctx, {40, 50, 0, 3, 1});
  const auto tickets = buy_many(*ctx, c, kHolds, "TWO");
  ASSERT_EQ(tickets.size(), static_cast<size_t>(kHolds));
  Daemon first(env), second(env);
  EXPECT_TRUE(eventually([&] { return redis_taken(*ctx, c).empty(); }, 30000))
      << first.process().log() << second.process().log();
  EXPECT_EQ(count(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'expired'"), kHolds);
  EXPECT_EQ(
      count(*ctx, "SELECT COUNT(DISTINCT ticket_code) FROM AUDIT_LOG WHERE action = 'expired'"),
      kHolds);
  const auto a = std::stoull("0" + first.metric("tl_holds_expired_total"));
  const auto b = std::stoull("0" + second.metric("tl_holds_expired_total"));
  EXPECT_EQ(a + b, static_cast<unsigned long long>(kHolds)) << "each hold expired by one daemon";
  std::cout << "release lag after the deadline, " << kHolds
            << " holds, two daemons: daemon 1 expired " << a << " (p50 "
            << first.metric("tl_release_lag_seconds{quantile=\"0.5\"}") << " s, p99 "
            << first.metric("tl_release_lag_seconds{quantile=\"0.99\"}") << " s), daemon 2 expired "
            << b << " (p50 " << second.metric("tl_release_lag_seconds{quantile=\"0.5\"}")
            << " s, p99 " << second.metric("tl_release_lag_seconds{quantile=\"0.99\"}") << " s)\n";
  EXPECT_EQ(http_get(first.port(), "/healthz").first, 200);
  first.process().signal(SIGTERM);
  second.process().signal(SIGTERM);
  EXPECT_EQ(first.process().wait(), 0);
  EXPECT_EQ(second.process().wait(), 0);
}

// reconcile --repair, as a library call and as the tool, over and over while
// 16 buyers sell out a concert and pay for half: it repairs real drift and
// never frees a held or sold seat (a buyer would then collide with the
// database and the map would be rebuilt) nor takes a free one.
TEST(Fault, ReconcileRepairLoopDuringASaleDoesNoHarm) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {20, 25, 0, 300, 1});
  auto sold = buy(*ctx, buyer(c, "A1", "SEED0001"));
  ASSERT_TRUE(sold.ok());
  // Real drift: a sold seat shown free, a free seat shown taken.
  redis_do(*ctx, {"SETBIT", seat_map_keys(*ctx, c.id).buy, "0", "0"});
  redis_do(*ctx, {"SETBIT", seat_map_keys(*ctx, c.id).buy, "499", "1"});

  std::atomic<int> rebuilds{0}, repairs{0};
  std::atomic<bool> watching{false}, selling{true};
  std::thread watcher([&] {
    auto wctx = env.context();
    (void)follow_seat_events(
        *wctx, c.id, [&] { watching = true; },
        [&](const std::string& m) {
          if (m.find("\"rebuilt\"") != std::string::npos) ++rebuilds;
          if (m.find("\"repaired\"") != std::string::npos) ++repairs;
          return m.find("\"stop\"") == std::string::npos;
        });
  });
  ASSERT_TRUE(eventually([&] { return watching.load(); }, 5000));

  std::thread reconciler([&] {
    auto rctx = env.context();
    while (selling) {
      auto r = reconcile(*rctx, c, true);
      EXPECT_TRUE(r.ok());
    }
  });
  std::thread tool_loop([&] {
    while (selling) {
      auto r = run_tool(env.config_file(), "tl-admin",
                        {"reconcile", "--concert", c.slug, "--repair", "-q"});
      EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 6) << r.err;
    }
  });
  std::atomic<int> wins{0};
  std::vector<std::thread> buyers;
  for (int b = 0; b < 16; ++b) {
    buyers.emplace_back([&, b] {
      auto bctx = env.context();
      for (int i = 1 + b; i < c.layout.paid_seats() - 1; i += 16) {
        auto t = buy(*bctx, buyer(c, seat_label(seat_at(Zone::kBuy, i, c.layout)),
                                  "LOOP" + std::to_string(i)));
        if (!t.ok()) {
          ADD_FAILURE() << t.error().message();
          continue;
        }
        ++wins;
        if (i % 2 == 0) {
          EXPECT_TRUE(pay(*bctx, {t->code, "QRCODE", "Q" + std::to_string(i)}).ok());
        }
      }
    });
  }
  for (auto& t : buyers) t.join();
  selling = false;
  reconciler.join();
  tool_loop.join();
  redis_do(*ctx, {"PUBLISH", seat_map_keys(*ctx, c.id).events, "{\"event\":\"stop\"}"});
  watcher.join();

  EXPECT_EQ(wins.load(), c.layout.paid_seats() - 2) << "no buyer met a seat the database had";
  EXPECT_EQ(rebuilds.load(), 0) << "no repair freed a held or sold seat";
  EXPECT_GE(repairs.load(), 1);
  EXPECT_EQ(double_bookings(*ctx, c), 0);
  EXPECT_EQ(redis_taken(*ctx, c), mysql_taken(*ctx, c));
  EXPECT_EQ(redis_taken(*ctx, c).count(499), 0u) << "the leaked seat was freed";
  auto r = reconcile(*ctx, c, false);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->drift());
}

// Servers of their own: flushed, restarted and stopped while a sale goes on
// and a daemon runs.
// Of the shared servers' kind: one Redis, or a cluster for cluster.*.
class ServerFaults : public testing::OwnServers<ServerFaults> {
 public:
  static bool redis_cluster() { return !testing::shared_sandbox().redis_cluster.empty(); }
};

// A follower of the live feed while Redis restarts (empty: the map is
// rebuilt from MySQL): the daemon subscribes again and the follower gets a
// fresh snapshot, then the changes after it, and ends with /seats.
TEST_F(ServerFaults, ALiveFollowerGetsAFreshSnapshotAfterRedisRestarts) {
  Concert c = make_concert(*ctx_, {2, 10, 0, 300, 1});
  Daemon daemon(env_);
  ASSERT_TRUE(eventually([&] { return daemon.healthz() == 200; }, 10000)) << daemon.process().log();
  TempDir dir;
  const std::string stop_file = dir.path() + "/stop", log = dir.path() + "/follow.log";
  testing::Background follower(
      {std::string(TL_SOURCE_DIR) + "/tests/scripts/live_follow.py",
       "ws://127.0.0.1:" + std::to_string(daemon.port()) + "/api/v1/concerts/" + c.slug + "/live",
       "-", "120", "--until-file", stop_file},
      {}, log);
  ASSERT_TRUE(
      eventually([&] { return testing::read_file(log).find("ready") != std::string::npos; }, 20000))
      << testing::read_file(log);
  ASSERT_TRUE(buy(*ctx_, buyer(c, "A1", "RESTART1")).ok());
  servers_->control("stop", "redis");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  servers_->control("start", "redis");
  ASSERT_TRUE(eventually([&] { return buy(*ctx_, buyer(c, "A2", "RESTART2")).ok(); }, 20000));
  nlohmann::json now;
  ASSERT_TRUE(eventually(
      [&] {
        auto [status, body] = http_get(daemon.port(), "/api/v1/concerts/" + c.slug + "/seats");
        now = nlohmann::json::parse(body, nullptr, false);
        return status == 200 && now.is_object();
      },
      10000));
  dir.write("stop", std::to_string(now["gen"].get<int64_t>()) + "\n", 0600);
  ASSERT_EQ(follower.wait(), 0) << testing::read_file(log);
  const std::string out = testing::read_file(log);
  const auto followed = nlohmann::json::parse(out.substr(out.rfind('{')), nullptr, false);
  ASSERT_TRUE(followed.is_object()) << out;
  EXPECT_GE(followed["snapshots"].get<int>(), 2) << "a fresh one after the restart: " << out;
  EXPECT_EQ(followed["buy"], now["buy"]);
  EXPECT_EQ(now["buy"].get<std::string>().substr(0, 3), "oo.") << "A1 (rebuilt) and A2 held";
}

TEST_F(ServerFaults, RedisFlushedAndRestartedDuringASale) {
  Concert c = make_concert(*ctx_, {6, 25, 0, 300, 1});
  Daemon daemon(env_);
  ProcessSale sale;
  sale.start(env_, c, 6);
  ASSERT_TRUE(eventually([&] { return sale.wins >= 30; }, 30000));
  redis_do(*ctx_, {"FLUSHALL"});
  ASSERT_TRUE(eventually([&] { return sale.wins >= 70; }, 30000));
  servers_->control("stop", "redis");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  servers_->control("start", "redis");
  sale.join();
  EXPECT_EQ(sale.other.load(), 0);
  EXPECT_EQ(double_bookings(*ctx_, c), 0);
  EXPECT_EQ(static_cast<int>(mysql_taken(*ctx_, c).size()), sale.wins.load());
  // The daemon rebuilds and repairs: Redis agrees with MySQL again.
  EXPECT_TRUE(eventually([&] { return redis_taken(*ctx_, c) == mysql_taken(*ctx_, c); }, 10000));
  EXPECT_EQ(sale.wins.load(), c.layout.paid_seats())
      << "every seat sold once the servers were back";
  EXPECT_TRUE(eventually([&] { return http_get(daemon.port(), "/healthz").first == 200; }, 10000));
}

TEST_F(ServerFaults, MySqlRestartedDuringASale) {
  Concert c = make_concert(*ctx_, {4, 25, 0, 300, 1});
  Daemon daemon(env_);
  ProcessSale sale;
  sale.start(env_, c, 4);
  ASSERT_TRUE(eventually([&] { return sale.wins >= 20; }, 30000));
  servers_->control("stop", "mysql");
  ASSERT_TRUE(eventually([&] { return sale.unavailable >= 4; }, 30000));
  EXPECT_TRUE(eventually([&] { return http_get(daemon.port(), "/healthz").first == 503; }, 10000));
  servers_->control("start", "mysql");
  sale.join();
  EXPECT_EQ(sale.other.load(), 0);
  {
    std::lock_guard lock(sale.mu);
    ASSERT_FALSE(sale.unavailable_lines.empty());
    for (const auto& line : sale.unavailable_lines) {
      EXPECT_EQ(testing::line_count(line), 1) << line;
      EXPECT_EQ(line.rfind("tl-buy: error: ", 0), 0u) << line;
      EXPECT_NE(line.find("MySQL at 127.0.0.1:" + std::to_string(servers_->sandbox().mysql_port)),
                std::string::npos)
          << line;
    }
  }
  // Nothing half-written: every ticket has its seat and its payment row.
  EXPECT_EQ(count(*ctx_,
                  "SELECT COUNT(*) FROM TICKETS t WHERE NOT EXISTS (SELECT 1 FROM TICKET_SEATS s"
                  " WHERE s.ticket_id = t.id) OR NOT EXISTS (SELECT 1 FROM TICKETS_APPLY_BUY p"
                  " WHERE p.ticket_id = t.id)"),
            0);
  EXPECT_EQ(double_bookings(*ctx_, c), 0);
  EXPECT_EQ(sale.wins.load(), c.layout.paid_seats());
  EXPECT_EQ(static_cast<int>(mysql_taken(*ctx_, c).size()), sale.wins.load());
  EXPECT_TRUE(eventually([&] { return redis_taken(*ctx_, c) == mysql_taken(*ctx_, c); }, 10000));
  EXPECT_TRUE(eventually([&] { return http_get(daemon.port(), "/healthz").first == 200; }, 10000));
}

// A command on the test's own connection, once more after a server restart
// broke it.
void redis_again(Context& ctx, const std::vector<std::string>& argv) {
  if (!testing::redis_try(ctx, argv).ok()) redis_do(ctx, argv);
}

// tl-status --watch goes on through a Redis restart, and through a
// re-SUBSCRIBE that Redis refuses for a while (the default user loses its
// channels), subscribing again each time and printing the changes after.
TEST_F(ServerFaults, WatchSurvivesARedisRestartAndARefusedSubscribe) {
  Concert c = make_concert(*ctx_, {2, 10, 0, 300, 1});
  testing::TempDir dir;
  testing::Background watch({testing::tool_path("tl-status"), "--concert", c.slug, "--watch"},
                            {{"TL_CONFIG", env_.config_file()}}, dir.path() + "/watch.out");
  auto watching = [&](int n) {
    return eventually([&] { return count_of(watch.log(), "Watching concert") >= n; }, 20000);
  };
  ASSERT_TRUE(watching(1)) << watch.log();

  servers_->control("stop", "redis");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(watch.wait_for(0), std::nullopt)
      << "still watching while Redis is down: " << watch.log();
  servers_->control("start", "redis");
  ASSERT_TRUE(watching(2)) << watch.log();

  redis_again(*ctx_, {"ACL", "SETUSER", "default", "resetchannels"});
  redis_do(*ctx_, {"CLIENT", "KILL", "TYPE", "pubsub"});
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  EXPECT_EQ(watch.wait_for(0), std::nullopt)
      << "still watching while SUBSCRIBE is refused: " << watch.log();
  EXPECT_EQ(count_of(watch.log(), "Watching concert"), 2)
      << "not subscribed meanwhile: " << watch.log();
  redis_do(*ctx_, {"ACL", "SETUSER", "default", "allchannels"});
  ASSERT_TRUE(watching(3)) << watch.log();

  auto sold = buy(*ctx_, buyer(c, "A3", "WATCH001"));
  ASSERT_TRUE(sold.ok()) << sold.error().message();
  EXPECT_TRUE(
      eventually([&] { return watch.log().find(sold->code + " A3") != std::string::npos; }, 10000))
      << watch.log();
  watch.signal(SIGINT);
  watch.wait();
}

// While Redis is down the passes fail at every retry, but each is logged
// when it starts failing and again only when its error changes, not every
// second.
TEST_F(ServerFaults, AFailingPassIsLoggedOncePerErrorNotAtEveryRetry) {
  make_concert(*ctx_, {2, 10, 0, 300, 1});
  Daemon daemon(env_);
  ASSERT_TRUE(eventually([&] { return http_get(daemon.port(), "/healthz").first == 200; }, 10000));
  servers_->control("stop", "redis");
  std::this_thread::sleep_for(std::chrono::milliseconds(5000));
  const std::string log = daemon.process().log();
  servers_->control("start", "redis");
  EXPECT_TRUE(eventually([&] { return http_get(daemon.port(), "/healthz").first == 200; }, 10000));
  // Once when the connection is lost, once for each refused reconnection
  // message: at most two lines a pass in five seconds of retries.
  EXPECT_GE(count_of(log, "check redis: "), 1) << log;
  EXPECT_LE(count_of(log, "check redis: "), 2) << log;
  EXPECT_LE(count_of(log, "expire: "), 2) << log;
  EXPECT_NE(daemon.process().log().find("working again after: "), std::string::npos)
      << daemon.process().log();
}

// Gates without the servers: with MySQL and Redis stopped, two gates admit
// from their journals and refuse what the revocation list names; the syncs
// then record one admission per ticket and report the double admission and
// the ticket cancelled while the gates were offline.
TEST_F(ServerFaults, OfflineGatesAdmitWithTheServersStoppedAndTheSyncReportsConflicts) {
  TempDir dir;
  ASSERT_TRUE(generate_key_pair("G1", dir.path()).ok());
  const std::map<std::string, std::string> keys = {
      {"TL_PASSES_SIGNING_KEY_FILE", dir.path() + "/G1.key"},
      {"TL_PASSES_VERIFY_KEYS_FILE", dir.path() + "/G1.pub"}};
  Config config = env_.config();
  config.passes.signing_key_file = keys.at("TL_PASSES_SIGNING_KEY_FILE");
  Context ctx(config);
  Concert c = make_concert(ctx, {2, 5, 0, 300, 1});
  std::vector<std::string> codes, passes;
  for (const char* seat : {"A1", "A2", "A3"}) {
    auto t = buy(ctx, buyer(c, seat, std::string("OFFL") + seat));
    ASSERT_TRUE(t.ok()) << t.error().message();
    ASSERT_TRUE(pay(ctx, {t->code, "DIRECT", "OFF-" + t->code}).ok());
    auto token = issue_pass(ctx, t->code);
    ASSERT_TRUE(token.ok()) << token.error().message();
    codes.push_back(t->code);
    passes.push_back(*token);
  }
  auto admin = [&](const std::vector<std::string>& args) {
    return run_tool(env_.config_file(), "tl-admin", args, keys);
  };
  // The second ticket is cancelled before the list is made, the third after.
  ASSERT_TRUE(cancel(ctx, codes[1], "refunded before the doors opened").ok());
  const std::string list = dir.path() + "/revoked.list";
  const ToolRun made = admin({"checkin", "--revoked", "--concert", c.slug, "--out", list});
  ASSERT_EQ(made.exit_code, 0) << made.err;

  servers_->control("stop", "mysql");
  servers_->control("stop", "redis");
  const ToolRun online = admin({"checkin", passes[0], "--gate", "North"});
  EXPECT_EQ(online.exit_code, 7) << "the servers are really down: " << online.err;
  const std::string a = dir.path() + "/north.journal", b = dir.path() + "/south.journal";
  auto gate = [&](const std::string& journal, const std::string& name, const std::string& pass) {
    return admin({"checkin", "--offline", "--journal", journal, "--revoked", list, "--gate", name,
                  "--concert", c.slug, pass});
  };
  const ToolRun first = gate(a, "North", passes[0]);
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("ADMITTED " + codes[0]), std::string::npos) << first.out;
  const ToolRun again = gate(a, "North-2", passes[0]);
  EXPECT_EQ(again.exit_code, 3) << again.err;
  EXPECT_NE(again.err.find("already admitted at"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("through gate North "), std::string::npos) << again.err;
  const ToolRun revoked = gate(a, "North", passes[1]);
  EXPECT_EQ(revoked.exit_code, 5) << revoked.err;
  EXPECT_NE(revoked.err.find("revocation list"), std::string::npos) << revoked.err;
  EXPECT_EQ(gate(b, "South", passes[1]).exit_code, 5) << "refused at every gate with the list";
  // The south gate has its own journal: it admits the first pass again,
  // and the third, whose cancellation no list carries yet.
  EXPECT_EQ(gate(b, "South", passes[0]).exit_code, 0);
  EXPECT_EQ(gate(b, "South", passes[2]).exit_code, 0);
  servers_->control("start", "mysql");
  servers_->control("start", "redis");

  Context back(config);  // the connections of `ctx` went with the servers
  auto cancelled = cancel(back, codes[2], "cancelled while the gates were offline");
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message();
  const ToolRun north = admin({"checkin", "--sync", a, "--json"});
  EXPECT_EQ(north.exit_code, 0) << north.err << north.out;
  const auto nj = nlohmann::json::parse(north.out, nullptr, false);
  EXPECT_EQ(nj["sync"]["admitted"], 1) << north.out;
  EXPECT_TRUE(nj["sync"]["conflicts"].empty()) << north.out;

  const ToolRun south = admin({"checkin", "--sync", b, "--json"});
  EXPECT_EQ(south.exit_code, 3) << south.err << south.out;
  const auto sj = nlohmann::json::parse(south.out, nullptr, false);
  ASSERT_TRUE(sj.is_object()) << south.out;
  EXPECT_EQ(sj["sync"]["admitted"], 0) << south.out;
  ASSERT_EQ(sj["sync"]["conflicts"].size(), 2u) << south.out;
  std::map<std::string, nlohmann::json> by_ticket;
  for (const auto& conflict : sj["sync"]["conflicts"]) by_ticket[conflict["ticket"]] = conflict;
  EXPECT_EQ(by_ticket[codes[0]]["result"], "already");
  EXPECT_EQ(by_ticket[codes[0]]["first_gate"], "North");
  EXPECT_EQ(by_ticket[codes[0]]["gate"], "South");
  EXPECT_EQ(by_ticket[codes[2]]["result"], "admitted_while_revoked");

  // One admission per ticket, the door's record kept for the cancelled one.
  EXPECT_EQ(count(back, "SELECT COUNT(*) FROM CHECKINS"), 2);
  EXPECT_EQ(count(back, "SELECT COUNT(*) FROM CHECKINS WHERE while_revoked = 1 AND offline = 1"),
            1);
  EXPECT_EQ(count(back, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'checkin_conflict'"), 1);
  // A journal synced again changes nothing and reports the same conflicts.
  const ToolRun resync = admin({"checkin", "--sync", b});
  EXPECT_EQ(resync.exit_code, 3) << resync.err << resync.out;
  EXPECT_NE(resync.out.find("0 admitted, 0 synced before, 2 conflicts"), std::string::npos)
      << resync.out;
  EXPECT_EQ(admin({"checkin", "--sync", a}).exit_code, 0);
  EXPECT_EQ(count(back, "SELECT COUNT(*) FROM CHECKINS"), 2);
  EXPECT_EQ(count(back, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'checkin_conflict'"), 1);
  EXPECT_EQ(count(back, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'checked_in'"), 2);
}

// A provider's payment while Redis is down: paid in MySQL at once; once
// Redis is back the seat shows sold (reconciliation), and nobody buys it.
TEST_F(ServerFaults, APaymentFromAProviderWhileRedisIsDownIsPaidAndNeverSoldAgain) {
  Concert c = make_concert(*ctx_, {1, 5, 0, 300, 1});
  auto t = buy(*ctx_, buyer(c, "A5", "WHDOWN01"));
  ASSERT_TRUE(t.ok()) << t.error().message();
  TempDir dir;
  const std::string secret = "whsec-9d8c7b6a5f4e3d2c1b0a99887766554433";
  const std::string secret_file = dir.write("acme.secret", secret + "\n");
  const std::string config = dir.write(
      "ticketlemon.toml", testing::read_file(env_.config_file()) +
                              "\n[[payments.provider]]\nname = \"acme\"\nplatform = \"PAYPLAT\"\n"
                              "secret_file = \"" +
                              secret_file + "\"\n");
  testing::Daemon daemon(config, {{"TL_DAEMON_RECONCILE_INTERVAL_S", "1"}});
  ASSERT_TRUE(eventually([&] { return daemon.healthz() == 200; }, 10000));
  servers_->control("stop", "redis");
  const std::string body = R"({"id":"EV-DOWN","type":"payment.succeeded","ticket":")" + t->code +
                           R"(","reference":"PAY-DOWN","amount":"10.00","currency":"EUR"})";
  const std::string request = "POST /api/v1/payments/acme HTTP/1.1\r\nHost: x\r\nTL-Signature: " +
                              sign_webhook(secret, body, wall_clock_ms() / 1000) +
                              "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                              body;
  const auto [status, answer] = testing::http_exchange(daemon.port(), request);
  EXPECT_EQ(status, 200) << answer;
  EXPECT_NE(answer.find("\"paid\""), std::string::npos) << answer;
  EXPECT_EQ(count(*ctx_, "SELECT COUNT(*) FROM TICKETS WHERE status = 'SUCCESS'"), 1);
  servers_->control("start", "redis");
  // The daemon rebuilds or repairs the map from MySQL: A5 is sold.
  EXPECT_TRUE(eventually([&] { return redis_taken(*ctx_, c) == std::set<int>{4}; }, 15000));
  auto again = buy(*ctx_, buyer(c, "A5", "WHDOWN02"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(double_bookings(*ctx_, c), 0);
  auto r = reconcile(*ctx_, c, false);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->drift());
}

}  // namespace
}  // namespace ticket
