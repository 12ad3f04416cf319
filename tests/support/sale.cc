#include "support/sale.h"

#include <gtest/gtest.h>

#include "redis.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/seat_map.h"

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

void redis_do(Context& ctx, const std::vector<std::string>& argv) {
  auto redis = ctx.redis();
  ASSERT_TRUE(redis.ok()) << redis.error().message();
  auto r = (*redis)->command(argv);
  ASSERT_TRUE(r.ok()) << argv[0] << ": " << r.error().message();
}

}  // namespace ticket::testing
