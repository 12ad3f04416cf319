// The Redis seat map: atomic holds, release and confirm by owner, the
// generation and events, and rebuilding from MySQL when the map is gone.
#include "ticket/seat_map.h"
#include "ticket/seat_map_events.h"
#include "ticket/seat_map_views.h"
#include "ticket/seat_map_writes.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "active_seats.h"
#include "redis.h"
#include "support/sale.h"
#include "support/servers.h"
#include "ticket/audit.h"
#include "ticket/availability.h"
#include "ticket/buy.h"
#include "ticket/reconcile.h"

namespace ticket {
namespace {

using testing::buyer;
using testing::make_concert;
using testing::mysql_taken;
using testing::redis_do;
using testing::redis_taken;
using testing::TestEnv;

class SeatMap : public ::testing::Test {
 protected:
  SeatMap() : ctx_(env_.context()), concert_(make_concert(*ctx_, {2, 10, 5, 300, 4})) {}
  Millis later() const { return wall_clock_ms() + 60000; }

  TestEnv env_;
  std::unique_ptr<Context> ctx_;
  Concert concert_;
};

TEST_F(SeatMap, HoldsAllOrNoneAndNamesTakenSeats) {
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-AAAAAAAA", later(), {0, 1}).ok());
  auto clash = hold_seats(*ctx_, concert_, "TB-BBBBBBBB", later(), {1, 2, 0});
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(clash.error().message(), "seats A2, A1 are already taken");
  EXPECT_EQ(redis_taken(*ctx_, concert_), (std::set<int>{0, 1}));  // A3 was not held
  auto one = hold_seats(*ctx_, concert_, "TB-CCCCCCCC", later(), {1});
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.error().message(), "seat A2 is already taken");
}

TEST_F(SeatMap, HoldingTheSameCodeAgainHoldsNothingMore) {
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-AAAAAAAA", later(), {3}).ok());
  auto again = hold_seats(*ctx_, concert_, "TB-AAAAAAAA", later(), {3});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, std::vector<int>{3});
  auto counts = read_seat_counts(*ctx_, concert_);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->held, 1);
}

TEST_F(SeatMap, BestFindsTheFirstAdjacentRunFromTheFront) {
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-AAAAAAAA", later(), {2, 7}).ok());
  auto best = hold_best(*ctx_, concert_, "TB-BBBBBBBB", later(), 4);
  ASSERT_TRUE(best.ok()) << best.error().message();
  EXPECT_EQ(*best, (std::vector<int>{3, 4, 5, 6}));  // A4-A7: A1-A2 is too short
  auto next = hold_best(*ctx_, concert_, "TB-CCCCCCCC", later(), 3);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, (std::vector<int>{10, 11, 12}));                         // row B
  ASSERT_TRUE(hold_best(*ctx_, concert_, "TB-DDDDDDDD", later(), 4).ok());  // B4-B7
  auto none = hold_best(*ctx_, concert_, "TB-EEEEEEEE", later(), 4);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind(), ErrorKind::kConflict);
  EXPECT_NE(none.error().message().find("has 4 adjacent free seats"), std::string::npos);
}

TEST_F(SeatMap, ReleaseFreesOnlyTheOwnersSeats) {
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-AAAAAAAA", later(), {0}).ok());
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-BBBBBBBB", later(), {1}).ok());
  // B's ticket names A1 too, as a confused caller might: A1 stays A's.
  ASSERT_TRUE(
      release_seats(*ctx_, concert_.id, Zone::kBuy, "TB-BBBBBBBB", {0, 1}, seat_event::kReleased)
          .ok());
  EXPECT_EQ(redis_taken(*ctx_, concert_), std::set<int>{0});
  ASSERT_TRUE(
      release_seats(*ctx_, concert_.id, Zone::kBuy, "TB-AAAAAAAA", {}, seat_event::kReleased).ok());
  EXPECT_TRUE(redis_taken(*ctx_, concert_).empty());
  auto counts = read_seat_counts(*ctx_, concert_);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->held, 0);
}

TEST_F(SeatMap, ConfirmKeepsSeatsTakenAndEndsTheHold) {
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-AAAAAAAA", later(), {4, 5}).ok());
  ASSERT_TRUE(
      confirm_seats(*ctx_, concert_.id, Zone::kBuy, "TB-AAAAAAAA", {4, 5}, seat_event::kSold).ok());
  auto grid = read_seat_grid(*ctx_, concert_);
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ(grid->buy[4], SeatState::kTaken);
  EXPECT_EQ(grid->buy[5], SeatState::kTaken);
  EXPECT_EQ(grid->counts.held, 0);
  auto holds = (*ctx_->redis())->command({"ZCARD", seat_map_keys(*ctx_, concert_.id).holds});
  ASSERT_TRUE(holds.ok());
  EXPECT_EQ(*reply_integer(holds->get()), 0);
}

TEST_F(SeatMap, EveryChangeBumpsTheGenerationAndPublishesAnEvent) {
  auto before = read_seat_counts(*ctx_, concert_);
  ASSERT_TRUE(before.ok());
  std::vector<std::string> events;
  bool ready = false;
  std::mutex mu;
  std::condition_variable cv;
  std::thread watcher([&] {
    auto ctx = env_.context();
    Status s = follow_seat_events(
        *ctx, concert_.id,
        [&] {
          std::lock_guard lock(mu);
          ready = true;
          cv.notify_all();
        },
        [&](const std::string& m) {
          std::lock_guard lock(mu);
          events.push_back(m);
          cv.notify_all();
          return events.size() < 3;
        });
    EXPECT_TRUE(s.ok());
  });
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return ready; }));
  }
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-AAAAAAAA", later(), {0, 1}).ok());
  ASSERT_TRUE(
      confirm_seats(*ctx_, concert_.id, Zone::kBuy, "TB-AAAAAAAA", {0, 1}, seat_event::kSold).ok());
  ASSERT_TRUE(
      release_seats(*ctx_, concert_.id, Zone::kBuy, "TB-AAAAAAAA", {0, 1}, seat_event::kCancelled)
          .ok());
  watcher.join();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_NE(events[0].find("\"event\":\"held\""), std::string::npos) << events[0];
  EXPECT_NE(events[0].find("\"seats\":[0,1]"), std::string::npos) << events[0];
  EXPECT_NE(events[1].find("\"event\":\"sold\""), std::string::npos) << events[1];
  EXPECT_NE(events[2].find("\"event\":\"cancelled\""), std::string::npos) << events[2];
  auto after = read_seat_counts(*ctx_, concert_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->generation, before->generation + 3);
}

TEST_F(SeatMap, MissingMapIsRebuiltFromMySqlKeepingUnknownHolds) {
  auto sold = buy(*ctx_, buyer(concert_, "A1", "ID0001"));
  ASSERT_TRUE(sold.ok()) << sold.error().message();
  // A hold whose buy has not reached MySQL yet.
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-PPPPPPPP", later(), {5}).ok());
  // A map of another layout is cold: the next read rebuilds it.
  redis_do(*ctx_, {"HSET", seat_map_keys(*ctx_, concert_.id).meta, "layout", "stale"});
  ASSERT_TRUE(read_seat_counts(*ctx_, concert_).ok());
  EXPECT_EQ(redis_taken(*ctx_, concert_), (std::set<int>{0, 5}));
  // Everything lost: the next operation rebuilds from MySQL alone.
  ASSERT_TRUE(drop_seat_map(*ctx_, concert_.id).ok());
  auto counts = read_seat_counts(*ctx_, concert_);
  ASSERT_TRUE(counts.ok()) << counts.error().message();
  EXPECT_EQ(counts->buy_taken, 1);
  EXPECT_EQ(counts->held, 1);
  EXPECT_EQ(redis_taken(*ctx_, concert_), mysql_taken(*ctx_, concert_));
  auto again = hold_seats(*ctx_, concert_, "TB-QQQQQQQQ", later(), {0});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind(), ErrorKind::kConflict);
}

TEST_F(SeatMap, AConfirmArrivingAfterTheReleaseTakesNothingBack) {
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-AAAAAAAA", later(), {2}).ok());
  // Paid, then cancelled and released before the payment's confirm ran.
  ASSERT_TRUE(
      release_seats(*ctx_, concert_.id, Zone::kBuy, "TB-AAAAAAAA", {2}, seat_event::kCancelled)
          .ok());
  ASSERT_TRUE(
      confirm_seats(*ctx_, concert_.id, Zone::kBuy, "TB-AAAAAAAA", {2}, seat_event::kSold).ok());
  EXPECT_TRUE(redis_taken(*ctx_, concert_).empty());
}

TEST_F(SeatMap, EveryReleaseCountsEvenOneThatFreesNothing) {
  ASSERT_TRUE(read_seat_counts(*ctx_, concert_).ok());
  auto rel = [&] {
    auto r = (*ctx_->redis())->command({"HGET", seat_map_keys(*ctx_, concert_.id).meta, "rel"});
    auto n = r.ok() ? reply_integer(r->get()) : Result<long long>(-1LL);
    return n.ok() ? *n : -1;
  };
  const auto before = rel();
  ASSERT_TRUE(
      release_seats(*ctx_, concert_.id, Zone::kBuy, "TB-NOTHING0", {}, seat_event::kReleased).ok());
  EXPECT_EQ(rel(), before + 1);
}

TEST_F(SeatMap, AChangeOnAMissingMapRestartsARebuildInProgress) {
  ASSERT_TRUE(drop_seat_map(*ctx_, concert_.id).ok());
  const std::string lock = seat_map_keys(*ctx_, concert_.id).lock;
  redis_do(*ctx_, {"SET", lock, "a-rebuild-that-read-mysql-earlier"});
  ASSERT_TRUE(
      release_seats(*ctx_, concert_.id, Zone::kBuy, "TB-AAAAAAAA", {1}, seat_event::kCancelled)
          .ok());
  auto r = (*ctx_->redis())->command({"EXISTS", lock});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*reply_integer(r->get()), 0) << "the rebuild's lock is gone, so its write is refused";
}

TEST_F(SeatMap, ScriptsForgottenByRedisAreLoadedAgain) {
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-AAAAAAAA", later(), {0}).ok());
  redis_do(*ctx_, {"SCRIPT", "FLUSH"});
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-BBBBBBBB", later(), {1}).ok());
  EXPECT_EQ(redis_taken(*ctx_, concert_), (std::set<int>{0, 1}));
}

TEST_F(SeatMap, ConcurrentRebuildsAgree) {
  ASSERT_TRUE(buy(*ctx_, buyer(concert_, "B3", "ID0002")).ok());
  ASSERT_TRUE(drop_seat_map(*ctx_, concert_.id).ok());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto ctx = env_.context();
      auto c = read_seat_counts(*ctx, concert_);
      if (c.ok() && c->buy_taken == 1) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
}

// A number the map holds as text it cannot read is an error naming the
// script, never a silent 0.
TEST_F(SeatMap, AMalformedNumberInTheMapIsAnErrorNotZero) {
  ASSERT_TRUE(read_seat_counts(*ctx_, concert_).ok());
  redis_do(*ctx_, {"HSET", seat_map_keys(*ctx_, concert_.id).meta, "gen", "many"});
  auto counts = read_seat_counts(*ctx_, concert_);
  ASSERT_FALSE(counts.ok());
  EXPECT_EQ(counts.error().kind(), ErrorKind::kInternal);
  EXPECT_EQ(counts.error().message(),
            "unexpected reply from view.lua: a list of 1 where a list of 5 was due");
}

// Real drift (a sold seat shown free, a free seat shown taken) repaired:
// one audit row names exactly the seats the repair changed; a repair that
// changes nothing, and a reconcile without repair, write none.
TEST_F(SeatMap, RepairRecordsTheSeatsItChangedInTheAuditLog) {
  ASSERT_TRUE(buy(*ctx_, buyer(concert_, "A1", "ID0003")).ok());
  const SeatMapKeys keys = seat_map_keys(*ctx_, concert_.id);
  redis_do(*ctx_, {"SETBIT", keys.buy, "0", "0"});
  redis_do(*ctx_, {"HDEL", keys.owner, "b0"});
  redis_do(*ctx_, {"SETBIT", keys.buy, "19", "1"});
  redis_do(*ctx_, {"SETBIT", keys.free, "2", "1"});
  auto repairs = [&] {
    auto audit = list_audit(*ctx_, {std::nullopt, concert_.id, 1000});
    EXPECT_TRUE(audit.ok());
    std::vector<AuditEntry> out;
    for (const AuditEntry& e : *audit)
      if (e.action == "repaired") out.push_back(e);
    return out;
  };

  auto seen = reconcile(*ctx_, concert_, false);
  ASSERT_TRUE(seen.ok());
  ASSERT_TRUE(seen->drift());
  EXPECT_TRUE(repairs().empty()) << "only looked";

  auto fixed = reconcile(*ctx_, concert_, true);
  ASSERT_TRUE(fixed.ok()) << fixed.error().message();
  EXPECT_TRUE(fixed->repaired);
  auto rows = repairs();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].detail, "marked taken: A1; freed: B10 FREE-3");
  EXPECT_EQ(rows[0].concert_id, concert_.id);
  EXPECT_EQ(rows[0].actor, ctx_->actor());

  auto again = reconcile(*ctx_, concert_, true);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->drift());
  EXPECT_EQ(repairs().size(), 1u);
}

// A hold that no ticket in MySQL explains, long past its deadline, is
// released by a repair, and its seats are named in the repair's row.
TEST_F(SeatMap, RepairNamesTheSeatsOfADeadHoldItReleased) {
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-DEADH0LD", wall_clock_ms() - 60000, {4, 5}).ok());
  auto fixed = reconcile(*ctx_, concert_, true);
  ASSERT_TRUE(fixed.ok()) << fixed.error().message();
  EXPECT_TRUE(fixed->repaired);
  auto audit = list_audit(*ctx_, {std::nullopt, concert_.id, 1000});
  ASSERT_TRUE(audit.ok());
  std::vector<std::string> details;
  for (const AuditEntry& e : *audit)
    if (e.action == "repaired") details.push_back(e.detail);
  EXPECT_EQ(details, std::vector<std::string>{"freed: A5 A6"});
  auto counts = read_seat_counts(*ctx_, concert_);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->held, 0);
  EXPECT_EQ(counts->buy_taken, 0);
}

// Reconcile compares the bitmaps byte by byte: drift at the edge of a byte
// is found, the seats of a live hold that MySQL does not know yet are not
// drift, nor are bits past the end of the layout.
TEST_F(SeatMap, ReconcileFindsDriftAtByteEdgesAndExcusesLiveHolds) {
  ASSERT_TRUE(buy(*ctx_, buyer(concert_, "A1", "ID0005")).ok());
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-LIVEH0LD", later(), {8, 9}).ok());
  const SeatMapKeys keys = seat_map_keys(*ctx_, concert_.id);
  redis_do(*ctx_, {"SETBIT", keys.buy, "0", "0"});
  redis_do(*ctx_, {"HDEL", keys.owner, "b0"});
  redis_do(*ctx_, {"SETBIT", keys.buy, "7", "1"});
  redis_do(*ctx_, {"SETBIT", keys.buy, "21", "1"});
  redis_do(*ctx_, {"SETBIT", keys.free, "100", "1"});

  auto seen = reconcile(*ctx_, concert_, false);
  ASSERT_TRUE(seen.ok()) << seen.error().message();
  EXPECT_EQ(seen->missing, std::vector<Seat>{(Seat{Zone::kBuy, 0, 1})});
  EXPECT_EQ(seen->leaked, std::vector<Seat>{(Seat{Zone::kBuy, 0, 8})});

  auto fixed = reconcile(*ctx_, concert_, true);
  ASSERT_TRUE(fixed.ok()) << fixed.error().message();
  EXPECT_TRUE(fixed->repaired);
  auto again = reconcile(*ctx_, concert_, false);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->drift());
  EXPECT_EQ(redis_taken(*ctx_, concert_), (std::set<int>{0, 8, 9, 21}));
}

// Missing seats in more rows than are read one by one: the tickets of the
// whole concert are read, every seat is marked taken again, and the holds
// Redis still has are kept.
TEST_F(SeatMap, RepairMarksMissingSeatsOfManyRowsTaken) {
  const int rows = static_cast<int>(kRowsOneByOne) + 8;
  Concert c = make_concert(*ctx_, {rows, 1, 0, 300, 1});
  for (int row = 0; row < rows; ++row) {
    const std::string label = seat_label({Zone::kBuy, row, 1});
    ASSERT_TRUE(buy(*ctx_, buyer(c, label, "ID" + std::to_string(1000 + row))).ok()) << label;
  }
  const SeatMapKeys keys = seat_map_keys(*ctx_, c.id);
  redis_do(*ctx_, {"DEL", keys.buy, keys.owner});

  auto seen = reconcile(*ctx_, c, false);
  ASSERT_TRUE(seen.ok()) << seen.error().message();
  EXPECT_EQ(seen->missing.size(), static_cast<size_t>(rows));
  EXPECT_TRUE(seen->leaked.empty());
  auto fixed = reconcile(*ctx_, c, true);
  ASSERT_TRUE(fixed.ok()) << fixed.error().message();
  EXPECT_TRUE(fixed->repaired);
  EXPECT_EQ(redis_taken(*ctx_, c), mysql_taken(*ctx_, c));
  auto counts = read_seat_counts(*ctx_, c);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->held, rows);
  auto owners = read_seat_snapshot(*ctx_, c);
  ASSERT_TRUE(owners.ok());
  EXPECT_EQ(owners->owners.size(), static_cast<size_t>(rows));
}

// A snapshot with the owners of some seats only: those that have one.
TEST_F(SeatMap, ASnapshotCanCarryTheOwnersOfNamedSeatsOnly) {
  ASSERT_TRUE(hold_seats(*ctx_, concert_, "TB-0WNER000", later(), {3, 4}).ok());
  auto some = read_seat_snapshot(*ctx_, concert_, {"b3", "b5", "f0"});
  ASSERT_TRUE(some.ok()) << some.error().message();
  EXPECT_EQ(some->owners, (std::map<std::string, std::string>{{"b3", "TB-0WNER000"}}));
  EXPECT_EQ(some->hold_seats.at("TB-0WNER000"), (std::vector<int>{3, 4}));
  EXPECT_TRUE(some->taken(Zone::kBuy, 4));
  auto none = read_seat_snapshot(*ctx_, concert_, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->owners.empty());
  auto all = read_seat_snapshot(*ctx_, concert_);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->owners.size(), 2u);
}

// A map whose keys were deleted is rebuilt, not repaired: no audit row.
TEST_F(SeatMap, ALostMapIsRebuiltWithoutARepairRow) {
  ASSERT_TRUE(buy(*ctx_, buyer(concert_, "A2", "ID0004")).ok());
  ASSERT_TRUE(drop_seat_map(*ctx_, concert_.id).ok());
  auto r = reconcile(*ctx_, concert_, true);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->drift());
  auto audit = list_audit(*ctx_, {std::nullopt, concert_.id, 1000});
  ASSERT_TRUE(audit.ok());
  for (const AuditEntry& e : *audit) EXPECT_NE(e.action, "repaired");
}

}  // namespace
}  // namespace ticket
