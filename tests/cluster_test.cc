// Redis Cluster mode (docs/design.md §14) against a real cluster of three
// masters and three replicas, each actor a real process: concerts spread
// over every master, a concert's master killed mid-sale, a concert's slot
// migrated to another master mid-sale. Nothing may be sold twice, nothing
// may stay stuck, and reconcile must find Redis and MySQL agreeing after.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <sstream>
#include <thread>

#include "cluster_slot.h"
#include "redis.h"
#include "support/daemon.h"
#include "support/process.h"
#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/buy.h"
#include "ticket/pay.h"
#include "ticket/seat_map.h"

namespace ticket {
namespace {

using testing::buyer;
using testing::count_of;
using testing::double_bookings;
using testing::eventually;
using testing::make_concert;
using testing::mysql_taken;
using testing::PrivateSandbox;
using testing::ProcessSale;
using testing::redis_do;
using testing::redis_keys;
using testing::redis_taken;
using testing::run_tool;
using testing::scalar_sql;
using testing::TestEnv;
using testing::ToolRun;
using Clock = std::chrono::steady_clock;

// One line of CLUSTER NODES.
struct ClusterNode {
  std::string id;
  std::string host;
  int port = 0;
  bool master = false;
  bool failed = false;
  std::vector<std::pair<int, int>> slots;

  bool serves(int slot) const {
    for (auto [first, last] : slots) {
      if (slot >= first && slot <= last) return true;
    }
    return false;
  }
};

// The cluster as its masters see it now.
std::vector<ClusterNode> cluster_nodes(const TestEnv& env) {
  std::vector<ClusterNode> out;
  auto redis = Redis::connect(env.config().redis);
  if (!redis.ok()) return out;
  auto masters = (*redis)->masters();
  if (!masters.ok()) return out;
  auto reply = masters->front()->exchange({"CLUSTER", "NODES"}, false, nullptr);
  if (!reply.ok() || (*reply)->type == REDIS_REPLY_ERROR) return out;
  std::istringstream lines(reply_string(reply->get()));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    ClusterNode n;
    std::string address, flags, skip;
    fields >> n.id >> address >> flags;
    for (int i = 0; i < 5; ++i) fields >> skip;
    const std::string hostport = address.substr(0, address.find('@'));
    n.host = hostport.substr(0, hostport.rfind(':'));
    n.port = std::stoi(hostport.substr(hostport.rfind(':') + 1));
    n.master = flags.find("master") != std::string::npos;
    n.failed = flags.find("fail") != std::string::npos;
    for (std::string range; fields >> range;) {
      if (range.front() == '[') continue;  // a slot being migrated
      const size_t dash = range.find('-');
      const int first = std::stoi(range.substr(0, dash));
      n.slots.push_back(
          {first, dash == std::string::npos ? first : std::stoi(range.substr(dash + 1))});
    }
    out.push_back(std::move(n));
  }
  return out;
}

// The port of the master that serves the concert's keys, as a client with
// a fresh slot map finds it; 0 when none does.
int master_port_of(const TestEnv& env, uint64_t concert_id) {
  auto redis = Redis::connect(env.config().redis);
  if (!redis.ok()) return 0;
  Context ctx(env.config());
  auto at = (*redis)->address_of(seat_map_keys(ctx, concert_id).meta);
  return at.ok() ? at->second : 0;
}

int concert_slot(Context& ctx, uint64_t concert_id) {
  return key_slot(seat_map_keys(ctx, concert_id).meta);
}

int64_t in_process(Context& ctx, const Concert& c) {
  auto db = ctx.db();
  if (!db.ok()) return -1;
  return scalar_sql(**db,
                    "SELECT COUNT(*) FROM TICKETS WHERE status = 'PROCESS' AND concert_id = " +
                        std::to_string(c.id));
}

int64_t holds_in_redis(Context& ctx, const Concert& c) {
  auto redis = ctx.redis();
  if (!redis.ok()) return -1;
  auto r = (*redis)->command({"ZCARD", seat_map_keys(ctx, c.id).holds});
  if (!r.ok()) r = (*redis)->command({"ZCARD", seat_map_keys(ctx, c.id).holds});
  return r.ok() ? (*r)->integer : -1;
}

// After the sale: every hold has ended (expired or paid) in MySQL and in
// Redis, and the map shows what MySQL has.
void expect_settled(Context& ctx, const Concert& c, int wait_ms) {
  EXPECT_TRUE(eventually(
      [&] {
        return in_process(ctx, c) == 0 && holds_in_redis(ctx, c) == 0 &&
               redis_taken(ctx, c) == mysql_taken(ctx, c);
      },
      wait_ms))
      << "PROCESS tickets " << in_process(ctx, c) << ", holds in Redis " << holds_in_redis(ctx, c)
      << ", taken in Redis " << redis_taken(ctx, c).size() << ", in MySQL "
      << mysql_taken(ctx, c).size();
  EXPECT_EQ(double_bookings(ctx, c), 0);
}

// Until the sale has won `n` tickets; otherwise stops it, says what the
// buyers saw and fails.
::testing::AssertionResult wins_reach(ProcessSale& sale, int n, int wait_ms) {
  if (eventually([&] { return sale.wins >= n; }, wait_ms)) return ::testing::AssertionSuccess();
  sale.stop = true;
  sale.join();
  std::lock_guard lock(sale.mu);
  return ::testing::AssertionFailure()
         << sale.wins.load() << " tickets won of " << n << ", " << sale.unavailable.load()
         << " exits 7 (last: "
         << (sale.unavailable_lines.empty() ? "" : sale.unavailable_lines.back()) << "), "
         << sale.conflicts.load() << " conflicts (last: " << sale.last_conflict << ")";
}

std::map<std::string, std::string> reconciling_every_second() {
  return {{"TL_DAEMON_RECONCILE_INTERVAL_S", "1"}};
}

// Concerts whose maps are on each of the three masters: the daemon's expiry
// and reconciliation, `reconcile --all`, the rebuild of a lost map and
// `db reset` reach every one.
TEST(Cluster, ConcertsOnEveryMasterAreExpiredReconciledRebuiltAndReset) {
  TestEnv env;
  auto ctx = env.context();
  std::map<int, Concert> by_master;  // port → a concert there
  for (int i = 0; i < 40 && by_master.size() < 3; ++i) {
    Concert c = make_concert(*ctx, {2, 10, 0, 2, 1});
    by_master.emplace(master_port_of(env, c.id), c);
  }
  ASSERT_EQ(by_master.size(), 3u) << "concerts on every master";
  ASSERT_EQ(by_master.count(0), 0u);

  {
    testing::Daemon daemon(env.config_file(), reconciling_every_second());
    ASSERT_TRUE(eventually([&] { return daemon.healthz() == 200; }, 10000))
        << daemon.process().log();
    for (auto& [port, c] : by_master) {
      for (const char* seat : {"A1", "A2", "A3"}) {
        auto t = buy(*ctx, buyer(c, seat, std::string("E") + seat + std::to_string(port)));
        ASSERT_TRUE(t.ok()) << t.error().message();
        if (std::string(seat) == "A1") {
          ASSERT_TRUE(pay(*ctx, {t->code, "DIRECT", "R-" + t->code}).ok());
        }
      }
    }
    // Two holds of each run out; the daemon releases all six.
    for (auto& [port, c] : by_master) {
      expect_settled(*ctx, c, 20000);
      EXPECT_EQ(mysql_taken(*ctx, c), std::set<int>{0}) << "A1 sold on the master at " << port;
    }
    EXPECT_EQ(daemon.metric("tl_holds_expired_total"), "6");
  }

  // A leaked seat on each master: found by one `reconcile --all`, repaired.
  for (auto& [port, c] : by_master)
    redis_do(*ctx, {"SETBIT", seat_map_keys(*ctx, c.id).buy, "15", "1"});
  ToolRun check = run_tool(env.config_file(), "tl-admin", {"reconcile", "--all", "--json"});
  EXPECT_EQ(check.exit_code, 6) << check.out << check.err;
  for (auto& [port, c] : by_master)
    EXPECT_NE(check.out.find("\"" + c.slug + "\""), std::string::npos) << check.out;
  ToolRun repair = run_tool(env.config_file(), "tl-admin", {"reconcile", "--all", "--repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  ToolRun clean = run_tool(env.config_file(), "tl-admin", {"reconcile", "--all"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;

  // Every map lost: each is rebuilt from MySQL on its own master.
  const std::string pattern = env.prefix() + ":*";
  for (const std::string& key : redis_keys(*ctx, pattern)) redis_do(*ctx, {"DEL", key});
  ASSERT_TRUE(redis_keys(*ctx, pattern).empty());
  ToolRun rebuilt = run_tool(env.config_file(), "tl-admin", {"reconcile", "--all"});
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.out << rebuilt.err;
  for (auto& [port, c] : by_master) {
    EXPECT_EQ(redis_taken(*ctx, c), std::set<int>{0});
    EXPECT_EQ(master_port_of(env, c.id), port);
  }

  ToolRun reset =
      run_tool(env.config_file(), "tl-admin", {"db", "reset", "--yes", "--delete-sold-tickets"});
  EXPECT_EQ(reset.exit_code, 0) << reset.out << reset.err;
  EXPECT_TRUE(redis_keys(*ctx, pattern).empty()) << "no seat map left on any master";
}

// An operator's mistakes with a cluster are one line and exit 8 (exit 7 when
// no node answers), never a crash or an internal error.
TEST(ClusterConfig, MistakesAreOneClearLine) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 10, 0, 300, 1});
  const std::string base = testing::read_file(env.config_file());
  const std::string nodes_line = "cluster_nodes = \"" + env.sandbox().redis_cluster + "\"";
  ASSERT_NE(base.find(nodes_line), std::string::npos) << base;
  testing::TempDir dir;
  const std::string password_line = "password_file = \"" + env.sandbox().dir + "/redis.password\"";
  // tl-status of the concert with the configuration's lines replaced.
  auto status_with = [&](const std::string& name,
                         const std::vector<std::pair<std::string, std::string>>& changes) {
    std::string text = base;
    for (const auto& [from, to] : changes) text.replace(text.find(from), from.size(), to);
    return run_tool(dir.write(name, text), "tl-status", {"--concert", c.slug});
  };
  auto one_line = [](const ToolRun& r, int code, const std::string& says) {
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_EQ(testing::line_count(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  };

  // A server without cluster mode among the nodes.
  const int lone = testing::free_port();
  testing::Background server({"/usr/bin/redis-server", "--port", std::to_string(lone), "--bind",
                              "127.0.0.1", "--save", "", "--appendonly", "no"},
                             {}, dir.path() + "/lone.log");
  ASSERT_TRUE(eventually(
      [&] {
        const int fd = testing::connect_loopback(lone);
        if (fd >= 0) ::close(fd);
        return fd >= 0;
      },
      10000))
      << server.log();
  one_line(status_with("lone.toml",
                       {{nodes_line, "cluster_nodes = \"127.0.0.1:" + std::to_string(lone) + "\""},
                        {password_line, "password_file = \"\""}}),
           8, "a Redis server without cluster mode");

  // One node of the cluster configured as one server: a master that does
  // not serve the concert redirects, which names the remedy.
  int other = 0;
  for (const ClusterNode& n : cluster_nodes(env)) {
    if (n.master && !n.serves(concert_slot(*ctx, c.id))) other = n.port;
  }
  ASSERT_NE(other, 0);
  one_line(status_with("single.toml",
                       {{"port = " + std::to_string(env.config().redis.port) + "\n" + nodes_line,
                         "port = " + std::to_string(other)}}),
           8, "is a node of a Redis Cluster: list its nodes in [redis] cluster_nodes");

  one_line(status_with("db.toml", {{nodes_line, nodes_line + "\ndb = 2"}}), 8,
           "a Redis Cluster has database 0 only");
  one_line(status_with("password.toml",
                       {{password_line,
                         "password_file = \"" + dir.write("wrong", "not-the-password\n") + "\""}}),
           8, "refused the password");
  one_line(
      status_with("down.toml", {{nodes_line, "cluster_nodes = \"127.0.0.1:" +
                                                 std::to_string(testing::free_port()) + "\""}}),
      7, "cannot read the slot map of the Redis cluster");
  server.signal(SIGTERM);
  server.wait();
}

// A cluster of their own, whose nodes are killed and whose slots are moved.
class ClusterFaults : public testing::OwnServers<ClusterFaults> {
 public:
  static bool redis_cluster() { return true; }
};

// SIGKILL of the master holding the concert's map in the middle of a sale
// (buyers, payers and the daemon real processes): its replica takes over,
// buyers see at most a retry or exit 7 meanwhile, and afterwards nothing
// is sold twice, no hold is stuck and reconcile finds no drift.
TEST_F(ClusterFaults, AConcertsMasterKilledMidSaleIsReplacedByItsReplica) {
  Concert c = make_concert(*ctx_, {20, 25, 0, 4, 1});
  testing::Daemon daemon(env_.config_file(), reconciling_every_second());
  ASSERT_TRUE(eventually([&] { return daemon.healthz() == 200; }, 10000)) << daemon.process().log();
  ProcessSale sale;
  sale.pay = true;
  sale.start(env_, c, 4);
  ASSERT_TRUE(wins_reach(sale, 60, 60000));

  const int killed = master_port_of(env_, c.id);
  ASSERT_NE(killed, 0);
  const int wins_before = sale.wins;
  const auto at = Clock::now();
  servers_->control("kill", "redis:" + std::to_string(killed));
  int now_at = 0;
  ASSERT_TRUE(eventually(
      [&] {
        now_at = master_port_of(env_, c.id);
        return now_at != 0 && now_at != killed;
      },
      30000))
      << "no replica took over the slot";
  const auto failover_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - at).count();
  const int wins_at_failover = sale.wins;
  ASSERT_TRUE(wins_reach(sale, wins_at_failover + 60, 60000))
      << "the sale goes on on the new master";
  sale.stop = true;
  sale.join();

  EXPECT_EQ(sale.other.load(), 0);
  {
    std::lock_guard lock(sale.mu);
    for (const std::string& line : sale.unavailable_lines) {
      EXPECT_EQ(testing::line_count(line), 1) << line;
      EXPECT_TRUE(line.rfind("tl-buy: error: ", 0) == 0 || line.rfind("tl-pay: error: ", 0) == 0)
          << line;
    }
  }
  // Holds run out after 4 s; the daemon releases them on the new master.
  expect_settled(*ctx_, c, 30000);
  EXPECT_EQ(scalar_sql(**ctx_->db(),
                       "SELECT COUNT(*) FROM TICKETS WHERE status = 'SUCCESS' AND "
                       "concert_id = " +
                           std::to_string(c.id)),
            sale.paid.load());
  ToolRun check = run_tool(env_.config_file(), "tl-admin", {"reconcile", "--concert", c.slug});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_TRUE(eventually([&] { return daemon.healthz() == 200; }, 10000));

  std::cout << "[ failover ] master 127.0.0.1:" << killed << " killed after " << wins_before
            << " tickets; its replica 127.0.0.1:" << now_at << " served the concert after "
            << failover_ms << " ms; " << sale.wins.load() << " tickets won, " << sale.paid.load()
            << " paid; " << sale.unavailable.load()
            << " tool runs answered exit 7 and were run again; the slowest run took "
            << sale.longest_ms.load() << " ms";
  {
    std::lock_guard lock(sale.mu);
    if (!sale.unavailable_lines.empty())
      std::cout << ", e.g. \"" << sale.unavailable_lines.front().substr(0, 160) << "\"";
  }
  std::cout << std::endl;
  servers_->control("start", "redis:" + std::to_string(killed));
}

// The concert's slot moved to another master while buyers buy:
// CLUSTER SETSLOT … IMPORTING / MIGRATING, MIGRATE of its keys one at a
// time, SETSLOT … NODE. Buyers follow ASK, TRYAGAIN and MOVED and see no
// error at all.
TEST_F(ClusterFaults, ASlotMigratedMidSaleCostsBuyersNothingButRetries) {
  Concert c = make_concert(*ctx_, {20, 25, 0, 300, 1});
  testing::Daemon daemon(env_.config_file(), reconciling_every_second());
  ASSERT_TRUE(eventually([&] { return daemon.healthz() == 200; }, 10000)) << daemon.process().log();
  // A follower of the concert's events, subscribed on the old master.
  testing::TempDir dir;
  testing::Background watch({testing::tool_path("tl-status"), "--concert", c.slug, "--watch"},
                            {{"TL_CONFIG", env_.config_file()}}, dir.path() + "/watch.out");
  auto subscriptions = [&] { return count_of(watch.log(), "Watching concert"); };
  ASSERT_TRUE(eventually([&] { return subscriptions() >= 1; }, 20000)) << watch.log();
  ProcessSale sale;
  sale.pay = true;
  sale.start(env_, c, 4);
  ASSERT_TRUE(wins_reach(sale, 40, 60000));

  const int slot = concert_slot(*ctx_, c.id);
  const std::vector<ClusterNode> nodes = cluster_nodes(env_);
  const ClusterNode* source = nullptr;
  const ClusterNode* target = nullptr;
  for (const ClusterNode& n : nodes) {
    if (!n.master || n.failed) continue;
    if (n.serves(slot)) {
      source = &n;
    } else if (target == nullptr) {
      target = &n;
    }
  }
  ASSERT_TRUE(source && target);
  const std::string password = testing::read_file(servers_->sandbox().dir + "/redis.password");
  const std::string pw = password.substr(0, password.find('\n'));
  RedisConfig base = env_.config().redis;
  base.cluster_nodes.clear();
  auto on = [&](const ClusterNode& n, const std::vector<std::string>& argv) -> RedisReply {
    RedisNode conn(base, n.host, n.port, pw);
    std::vector<std::string_view> views(argv.begin(), argv.end());
    auto r = conn.exchange(views, false, nullptr);
    EXPECT_TRUE(r.ok()) << argv[0] << " " << argv[1];
    if (!r.ok()) return nullptr;
    EXPECT_NE((*r)->type, REDIS_REPLY_ERROR)
        << argv[0] << " " << argv[1] << " on " << n.port << ": " << reply_string(r->get());
    return std::move(*r);
  };
  const std::string s = std::to_string(slot);
  on(*target, {"CLUSTER", "SETSLOT", s, "IMPORTING", source->id});
  on(*source, {"CLUSTER", "SETSLOT", s, "MIGRATING", target->id});
  int moved = 0;
  for (;;) {
    RedisReply keys = on(*source, {"CLUSTER", "GETKEYSINSLOT", s, "1"});
    ASSERT_TRUE(keys && keys->type == REDIS_REPLY_ARRAY);
    if (keys->elements == 0) break;
    // One key at a time, a moment apart: meanwhile the concert's keys are
    // split between the two masters.
    on(*source, {"MIGRATE", target->host, std::to_string(target->port), "", "0", "5000", "AUTH", pw,
                 "KEYS", reply_string(keys->element[0])});
    ++moved;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (const ClusterNode& n : nodes) {
    if (n.master && !n.failed) on(n, {"CLUSTER", "SETSLOT", s, "NODE", target->id});
  }
  EXPECT_GE(moved, 5) << "the concert's keys were moved";
  EXPECT_TRUE(eventually([&] { return master_port_of(env_, c.id) == target->port; }, 10000));
  const int wins_at_move = sale.wins;
  ASSERT_TRUE(wins_reach(sale, wins_at_move + 40, 60000));
  sale.stop = true;
  sale.join();

  EXPECT_EQ(sale.other.load(), 0);
  EXPECT_EQ(sale.unavailable.load(), 0) << "no buyer saw an error";
  EXPECT_EQ(double_bookings(*ctx_, c), 0);
  EXPECT_TRUE(eventually([&] { return redis_taken(*ctx_, c) == mysql_taken(*ctx_, c); }, 10000));
  ToolRun check = run_tool(env_.config_file(), "tl-admin", {"reconcile", "--concert", c.slug});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  // The old master ended the follower's subscription (sunsubscribe); it
  // subscribed again on the new one and follows what is sold there.
  auto last = buy(*ctx_, buyer(c, "T25", "MOVEDLAST"));
  ASSERT_TRUE(last.ok()) << last.error().message();
  EXPECT_TRUE(
      eventually([&] { return watch.log().find(last->code + " T25") != std::string::npos; }, 10000))
      << watch.log();
  EXPECT_GE(subscriptions(), 2) << watch.log();
  watch.signal(SIGINT);
  watch.wait();
}

}  // namespace
}  // namespace ticket
