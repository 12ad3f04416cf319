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
  auto r = (*redis)->command(
      {"PUBSUB", (*redis)->cluster() ? "SHARDNUMSUB" : "NUMSUB", channel});
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

}  // namespace ticket::testing
