#include "support/sale.h"

#include <gtest/gtest.h>

#include "redis.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/seat_map.h"
#include "ticket/text.h"

namespace ticket::testing {

Concert make_concert(Context& ctx, const ConcertShape& shape) {
  Concert c;
  c.slug = "c-" + random_suffix(8);
  c.name = "Test concert";
  c.layout = {shape.rows, shape.seats_per_row, shape.free_seats};
  c.price = 1000;
  c.currency = "EUR";
  c.hold_seconds = shape.hold_seconds;
  c.max_seats_per_ticket = shape.max_seats_per_ticket;
  auto made = create_concert(ctx, c);
  EXPECT_TRUE(made.ok()) << made.error().message();
  return made.ok() ? *made : c;
}

BuyRequest buyer(const Concert& c, const std::string& seat, const std::string& id) {
  BuyRequest r;
  r.concert = std::to_string(c.id);
  if (!seat.empty()) r.seats = {seat};
  r.customer = {"Buyer " + id, "30", "Unspecified", id};
  return r;
}

std::set<int> mysql_taken(Context& ctx, const Concert& c) {
  std::set<int> out;
  auto db = ctx.db();
  EXPECT_TRUE(db.ok());
  if (!db.ok()) return out;
  Status s = (*db)->transaction([&]() -> Status {
    auto& stmt = (*db)->prepare(
        "SELECT seat_row, seat_number FROM TICKET_SEATS WHERE concert_id = ? AND zone = 'BUY' AND status <> 'FAIL'");
    stmt.setUInt64(1, c.id);
    ResultSetPtr rs = (*db)->query(stmt);
    while (rs->next())
      out.insert(seat_index(
          {Zone::kBuy, static_cast<int>(rs->getUInt(1)), static_cast<int>(rs->getUInt(2))},
          c.layout));
    return {};
  });
  EXPECT_TRUE(s.ok());
  return out;
}

std::set<int> redis_taken(Context& ctx, const Concert& c) {
  std::set<int> out;
  auto redis = ctx.redis();
  EXPECT_TRUE(redis.ok());
  if (!redis.ok()) return out;
  auto r = (*redis)->command({"GET", seat_map_keys(ctx, c.id).buy});
  if (!r.ok())
    r = (*redis)->command(
        {"GET", seat_map_keys(ctx, c.id).buy});  // once more after a server restart
  EXPECT_TRUE(r.ok()) << r.error().message();
  if (!r.ok()) return out;
  const std::string bits = reply_string(r->get());
  for (size_t i = 0; i < bits.size() * 8; ++i) {
    if (static_cast<unsigned char>(bits[i / 8]) & (0x80u >> (i % 8)))
      out.insert(static_cast<int>(i));
  }
  return out;
}

int64_t double_bookings(Context& ctx, const Concert& c) {
  auto db = ctx.db();
  EXPECT_TRUE(db.ok());
  return scalar_sql(
      **db,
      "SELECT COUNT(*) FROM (SELECT zone, seat_row, seat_number FROM TICKET_SEATS"
      " WHERE concert_id = " +
          std::to_string(c.id) +
          " AND status <> 'FAIL' GROUP BY zone, seat_row, seat_number HAVING COUNT(*) > 1) d");
}

Status redis_try(Context& ctx, const std::vector<std::string>& argv) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  std::vector<std::string> cmd = argv;
  const std::string name = to_upper(argv[0]);
  if (name == "PUBLISH") cmd[0] = redis->publish_command();
  // What concerns every key (a flush, scripts, clients, users) goes to
  // every master of a cluster.
  if (redis->cluster() && (name == "FLUSHALL" || name == "FLUSHDB" || name == "SCRIPT" ||
                           name == "CLIENT" || name == "ACL" || name == "CONFIG")) {
    TL_ASSIGN_OR_RETURN(std::vector<RedisNode*> masters, redis->masters());
    for (RedisNode* node : masters) {
      std::vector<std::string_view> views(cmd.begin(), cmd.end());
      TL_ASSIGN_OR_RETURN(RedisReply r, node->exchange(views, false, nullptr));
      if (r->type == REDIS_REPLY_ERROR) return node->failure(r.get(), argv[0]);
    }
    return {};
  }
  TL_TRY(redis->command(cmd));
  return {};
}

void redis_do(Context& ctx, const std::vector<std::string>& argv) {
  auto done = redis_try(ctx, argv);
  ASSERT_TRUE(done.ok()) << argv[0] << ": " << done.error().message();
}

int64_t redis_subscribers(Context& ctx, const std::string& channel) {
  auto redis = ctx.redis();
  EXPECT_TRUE(redis.ok());
  if (!redis.ok()) return -1;
  auto r = (*redis)->command({"PUBSUB", (*redis)->cluster() ? "SHARDNUMSUB" : "NUMSUB", channel});
  EXPECT_TRUE(r.ok()) << r.error().message();
  if (!r.ok() || (*r)->type != REDIS_REPLY_ARRAY || (*r)->elements != 2) return -1;
  return (*r)->element[1]->integer;
}

std::vector<std::string> redis_keys(Context& ctx, const std::string& pattern) {
  std::vector<std::string> out;
  auto redis = ctx.redis();
  EXPECT_TRUE(redis.ok());
  if (!redis.ok()) return out;
  auto masters = (*redis)->masters();
  EXPECT_TRUE(masters.ok()) << masters.error().message();
  if (!masters.ok()) return out;
  for (RedisNode* node : *masters) {
    auto r = node->exchange({"KEYS", pattern}, false, nullptr);
    EXPECT_TRUE(r.ok() && (*r)->type == REDIS_REPLY_ARRAY);
    if (!r.ok() || (*r)->type != REDIS_REPLY_ARRAY) continue;
    for (size_t i = 0; i < (*r)->elements; ++i) out.push_back(reply_string((*r)->element[i]));
  }
  return out;
}

ToolRun ProcessSale::until_served(
    const TestEnv& env, const std::string& tool,
    const std::function<std::vector<std::string>(int attempt)>& args) {
  for (int attempt = 0;; ++attempt) {
    const auto started = std::chrono::steady_clock::now();
    ToolRun r = run_tool(env.config_file(), tool, args(attempt));
    const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
    for (int64_t seen = longest_ms; ms > seen && !longest_ms.compare_exchange_weak(seen, ms);) {
    }
    if (r.exit_code != 7 || attempt == 100 || stop) return r;
    ++unavailable;
    {
      std::lock_guard lock(mu);
      unavailable_lines.push_back(r.err);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void ProcessSale::start(const TestEnv& env, const Concert& c, int buyers) {
  for (int b = 0; b < buyers; ++b) {
    threads.emplace_back([&, b, buyers] {
      for (int i = b; i < c.layout.paid_seats() && !stop; i += buyers) {
        const std::string label = seat_label(seat_at(Zone::kBuy, i, c.layout));
        // A customer of its own for each attempt: one whose buy was cut
        // off may already hold a ticket.
        ToolRun r = until_served(env, "tl-buy", [&](int attempt) -> std::vector<std::string> {
          return {
              "--concert", c.slug,        "--seat",
              label,       "--name",      "P",
              "--age",     "20",          "--gender",
              "female",    "--id-number", "P" + std::to_string(i) + "X" + std::to_string(attempt),
              "-q"};
        });
        if (r.exit_code == 3) {
          ++conflicts;
          std::lock_guard lock(mu);
          last_conflict = r.err;
        }
        if (r.exit_code == 7 || r.exit_code == 3) continue;
        if (r.exit_code != 0) {
          ++other;
          ADD_FAILURE() << "tl-buy exited " << r.exit_code << ": " << r.err;
          continue;
        }
        ++wins;
        if (!pay || wins % 2 != 0) continue;
        const std::string code = r.out.substr(0, r.out.find_first_of(" \n"));
        ToolRun p = until_served(env, "tl-pay", [&](int) -> std::vector<std::string> {
          return {code, "--platform", "DIRECT", "--reference", "R-" + code};
        });
        if (p.exit_code == 0) {
          ++paid;
        } else if (p.exit_code != 7) {
          ++other;
          ADD_FAILURE() << "tl-pay exited " << p.exit_code << ": " << p.err;
        }
      }
    });
  }
}

void ProcessSale::join() {
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
}

ProcessSale::~ProcessSale() {
  stop = true;
  join();
}

}  // namespace ticket::testing
