// Buying and paying through libticket against real servers: the rules of a
// sale, and what contention, a racing deadline and a flushed Redis do to it.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <random>
#include <set>
#include <shared_mutex>
#include <thread>

#include "db.h"
#include "redis.h"
#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/availability.h"
#include "ticket/buy.h"
#include "ticket/checkin.h"
#include "ticket/concerts.h"
#include "ticket/expire.h"
#include "ticket/pay.h"
#include "ticket/seat_map_views.h"
#include "ticket/seat_map_writes.h"

namespace ticket {
namespace {

using testing::buyer;
using testing::ConcertShape;
using testing::double_bookings;
using testing::make_concert;
using testing::mysql_taken;
using testing::PrivateSandbox;
using testing::redis_do;
using testing::redis_taken;
using testing::scalar_sql;
using testing::TestEnv;

TEST(Buy, CreatesAProcessTicketWithDeadlineAmountAndAudit) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {3, 10, 0, 120, 4});
  BuyRequest req = buyer(c, "", "AB12345678");
  req.seats = {"a1", "A2"};
  auto t = buy(*ctx, req);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->code.substr(0, 3), "TB-");
  EXPECT_EQ(t->status, TicketStatus::kProcess);
  EXPECT_EQ(t->amount, 2000);
  ASSERT_TRUE(t->hold_expires_at);
  EXPECT_NEAR(static_cast<double>(*t->hold_expires_at - t->created_at), 120000.0, 5.0);
  auto found = find_ticket(*ctx, t->code);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->seats.size(), 2u);
  EXPECT_EQ(found->customer_last4, "5678");
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'held'"), 1);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS_APPLY_BUY WHERE amount = 20.00"), 1);
  // The security number is stored only as its HMAC.
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM CUSTOMERS WHERE id_hash LIKE '%AB12345678%'"),
            0);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT LENGTH(id_hash) FROM CUSTOMERS"), 32);
}

TEST(Buy, AReturningCustomerBuysUnderTheirOwnRecord) {
  TestEnv env;
  auto ctx = env.context();
  Concert first = make_concert(*ctx, {});
  Concert second = make_concert(*ctx, {});
  ASSERT_TRUE(buy(*ctx, buyer(first, "A1", "RETURN0001")).ok());
  ASSERT_TRUE(buy(*ctx, buyer(first, "A2", "OTHER00002")).ok());
  // The same security number again: the customer row is found, not made,
  // and the new ticket is theirs, not the last customer's inserted.
  BuyRequest again = buyer(second, "A1", "return0001");
  again.customer.name = "Returning buyer";
  auto t = buy(*ctx, again);
  ASSERT_TRUE(t.ok()) << t.error().message();
  auto found = find_ticket(*ctx, t->code);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, t->id);
  EXPECT_EQ(found->customer_last4, "0001");
  EXPECT_EQ(found->customer_name, "Returning buyer");
  EXPECT_EQ(found->hold_expires_at, t->hold_expires_at);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM CUSTOMERS"), 2);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(DISTINCT customer_id) FROM TICKETS"), 2);
}

// Someone else buying with the same security number (a typo, or on
// purpose) does not rename the holder of an earlier, even paid, ticket.
TEST(Buy, ALaterBuyNeverChangesAnEarlierTicketsHolder) {
  TestEnv env;
  auto ctx = env.context();
  Concert first = make_concert(*ctx, {});
  Concert second = make_concert(*ctx, {});
  BuyRequest ada = buyer(first, "A1", "SAME000001");
  ada.customer = {"Ada Lovelace", "36", "female", "SAME000001"};
  auto paid = buy(*ctx, ada);
  ASSERT_TRUE(paid.ok()) << paid.error().message();
  ASSERT_TRUE(pay(*ctx, {paid->code, "QRCODE", "HOLDER-1"}).ok());

  BuyRequest other = buyer(second, "A1", "same000001");
  other.customer = {"Mallory Mallet", "99", "male", "same000001"};
  auto later = buy(*ctx, other);
  ASSERT_TRUE(later.ok()) << later.error().message();

  auto kept = find_ticket(*ctx, paid->code);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->customer_name, "Ada Lovelace");
  EXPECT_EQ(kept->customer_age, 36);
  EXPECT_EQ(kept->customer_gender, "Female");
  auto theirs = find_ticket(*ctx, later->code);
  ASSERT_TRUE(theirs.ok());
  EXPECT_EQ(theirs->customer_name, "Mallory Mallet");
  EXPECT_EQ(theirs->customer_age, 99);
  EXPECT_EQ(theirs->customer_gender, "Male");
  EXPECT_EQ(later->customer_age, 99);
  EXPECT_EQ(later->customer_gender, "Male");
  // One customer, whose stored details are those first given: nothing
  // changed them, so nothing needs an audit row.
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM CUSTOMERS"), 1);
  EXPECT_EQ(scalar_sql(*ctx,
                       "SELECT COUNT(*) FROM CUSTOMERS WHERE name = 'Ada Lovelace' AND age = 36"
                       " AND gender = 'Female' AND updated_at = created_at"),
            1);
}

TEST(Buy, OneActiveTicketPerCustomerAndConcert) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {});
  ASSERT_TRUE(buy(*ctx, buyer(c, "A1", "ID123456")).ok());
  auto second = buy(*ctx, buyer(c, "A2", "id123456"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(second.error().message(),
            "this customer already has an active ticket for concert " + c.slug);
  // The refused buy gave its hold back.
  EXPECT_EQ(redis_taken(*ctx, c), std::set<int>{0});
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS"), 1);
}

TEST(Buy, RefusesMoreSeatsThanTheConcertAllowsAndClosedSales) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 0, 300, 2});
  BuyRequest three = buyer(c, "", "ID000001");
  three.seats = {"A1", "A2", "A3"};
  auto r = buy(*ctx, three);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kInvalid);
  BuyRequest best = buyer(c, "", "ID000001");
  best.best = 3;
  EXPECT_EQ(buy(*ctx, best).error().kind(), ErrorKind::kInvalid);
  ASSERT_TRUE(close_concert(*ctx, c.slug).ok());
  auto closed = buy(*ctx, buyer(c, "A1", "ID000001"));
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().kind(), ErrorKind::kExpired);
  EXPECT_TRUE(redis_taken(*ctx, c).empty());
}

// A buy takes its concert from the process's cache; the transaction checks
// it against the concert's row, so a change since is never sold from the
// cached copy.
TEST(Buy, AConcertChangedOrClosedSinceItWasCachedSellsAsItIsNow) {
  TestEnv env;
  auto ctx = env.context();
  auto other = env.context();  // the operator, in another connection
  Concert c = make_concert(*ctx, {2, 5, 0, 300, 1});
  auto first = buy(*ctx, buyer(c, "A1", "CACHE0001"));
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(first->amount, 1000);

  auto db = other->db();
  ASSERT_TRUE(db.ok());
  ASSERT_EQ(testing::exec_sql(
                **db, "UPDATE CONCERTS SET price = 12.50 WHERE id = " + std::to_string(c.id)),
            0);
  auto dearer = buy(*ctx, buyer(c, "A2", "CACHE0002"));
  ASSERT_TRUE(dearer.ok()) << dearer.error().message();
  EXPECT_EQ(dearer->amount, 1250);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS_APPLY_BUY WHERE amount = 12.50"), 1);

  ASSERT_TRUE(close_concert(*other, c.slug).ok());
  auto closed = buy(*ctx, buyer(c, "A3", "CACHE0003"));
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().kind(), ErrorKind::kExpired) << closed.error().message();
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS"), 2) << "nothing written";
  EXPECT_EQ(redis_taken(*ctx, c), (std::set<int>{0, 1})) << "the hold was given back";

  // Reopened and grown by a row: the new row sells, under the new layout.
  ASSERT_TRUE(open_concert(*other, c.slug).ok());
  ASSERT_EQ(testing::exec_sql(
                **db, "UPDATE CONCERTS SET seat_rows = 3 WHERE id = " + std::to_string(c.id)),
            0);
  c.layout.rows = 3;
  auto grown = buy(*ctx, buyer(c, "C5", "CACHE0004"));
  ASSERT_TRUE(grown.ok()) << grown.error().message();
  EXPECT_EQ(redis_taken(*ctx, c), mysql_taken(*ctx, c));
  EXPECT_EQ(mysql_taken(*ctx, c), (std::set<int>{0, 1, 14}));
}

// A close under way when a buy writes its ticket: the buy waits for it on
// the concert's row (its foreign key) and is then refused as closed; no
// ticket is written after the close.
TEST(Buy, ABuyMeetingACloseUnderWayIsRefusedAsClosed) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 0, 300, 1});
  ASSERT_TRUE(buy(*ctx, buyer(c, "A1", "CLOSE0001")).ok()) << "the concert is cached";
  std::promise<void> locked;
  Status closed;
  std::thread closer([&] {
    auto db = Db::connect(env.config().mysql);
    if (!db.ok()) {
      closed = db.error();
      locked.set_value();
      return;
    }
    closed = (*db)->transaction([&]() -> Status {
      auto& lock = (*db)->prepare("SELECT id FROM CONCERTS WHERE id = ? FOR UPDATE");
      lock.setUInt64(1, c.id);
      (*db)->query(lock);
      locked.set_value();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      auto& close = (*db)->prepare("UPDATE CONCERTS SET status = 'CLOSED' WHERE id = ?");
      close.setUInt64(1, c.id);
      close.execute();
      return {};
    });
  });
  locked.get_future().wait();
  auto r = buy(*ctx, buyer(c, "A2", "CLOSE0002"));
  closer.join();
  ASSERT_TRUE(closed.ok()) << closed.error().message();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kExpired) << r.error().message();
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS"), 1);
  EXPECT_EQ(redis_taken(*ctx, c), (std::set<int>{0}));
}

// Twenty gates scan one pass at once: one admits it, the nineteen others
// are told when and where it was admitted.
TEST(Checkin, TwentyGatesScanningOnePassAtOnceAdmitItOnce) {
  TestEnv env;
  testing::TempDir keys;
  ASSERT_TRUE(generate_key_pair("G1", keys.path()).ok());
  Config config = env.config();
  config.passes.signing_key_file = keys.path() + "/G1.key";
  config.passes.verify_keys_file = keys.path() + "/G1.pub";
  Context ctx(config);
  Concert c = make_concert(ctx, {2, 5, 0, 300, 1});
  auto t = buy(ctx, buyer(c, "A3", "GATE0001"));
  ASSERT_TRUE(t.ok()) << t.error().message();
  ASSERT_TRUE(pay(ctx, {t->code, "DIRECT", "GATE-1"}).ok());
  auto token = issue_pass(ctx, t->code);
  ASSERT_TRUE(token.ok()) << token.error().message();

  constexpr int kGates = 20;
  std::vector<Result<Checkin>> results(kGates, Result<Checkin>(internal("not run")));
  std::atomic<int> ready{0};
  std::vector<std::thread> gates;
  for (int g = 0; g < kGates; ++g) {
    gates.emplace_back([&, g] {
      Context gate(config);
      (void)gate.set_actor("gate-" + std::to_string(g));
      ++ready;
      while (ready.load() < kGates) std::this_thread::yield();
      results[g] = check_in(gate, *token, "G" + std::to_string(g), std::nullopt);
    });
  }
  for (auto& g : gates) g.join();
  int admitted = 0, already = 0;
  std::string gate;
  Millis at = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.error().message();
    if (r->result == Checkin::Result::kAdmitted) {
      ++admitted;
      gate = r->gate;
      at = r->at;
    }
    if (r->result == Checkin::Result::kAlready) ++already;
  }
  EXPECT_EQ(admitted, 1);
  EXPECT_EQ(already, kGates - 1);
  for (const auto& r : results) {
    EXPECT_EQ(r->gate, gate) << "every answer names the gate that admitted it";
    EXPECT_EQ(r->at, at);
  }
  EXPECT_EQ(scalar_sql(ctx, "SELECT COUNT(*) FROM CHECKINS"), 1);
  EXPECT_EQ(scalar_sql(ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'checked_in'"), 1);
  EXPECT_EQ(scalar_sql(ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'checkin_refused'"),
            kGates - 1)
      << "every refused scan is on the record";
}

// The server's own count of the statements a warm buy and a warm pay send
// (the session's Questions; statements inside a procedure do not count).
TEST(Buy, AWarmBuyAndAWarmPaySendTwoStatementsEach) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 0, 300, 1});
  auto db = ctx->db();
  ASSERT_TRUE(db.ok());
  auto questions = [&] {
    return scalar_sql(**db,
                      "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS"
                      " WHERE VARIABLE_NAME = 'QUESTIONS'");
  };
  auto warm = buy(*ctx, buyer(c, "A1", "TRIPS0001"));
  ASSERT_TRUE(warm.ok()) << warm.error().message();
  ASSERT_TRUE(pay(*ctx, {warm->code, "DIRECT", "TRIPS-1"}).ok());
  const int64_t reading = [&] {
    const int64_t a = questions();
    return questions() - a;
  }();
  const int64_t before = questions();
  auto t = buy(*ctx, buyer(c, "A2", "TRIPS0002"));
  ASSERT_TRUE(t.ok()) << t.error().message();
  const int64_t bought = questions();
  ASSERT_TRUE(pay(*ctx, {t->code, "DIRECT", "TRIPS-2"}).ok());
  const int64_t paid = questions();
  EXPECT_EQ(bought - before - reading, 2) << "CALL tl_buy and COMMIT";
  EXPECT_EQ(paid - bought - reading, 2) << "CALL tl_pay and COMMIT";
}

TEST(Pay, SameReferenceAgainIsANoOpAnotherIsAConflict) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {});
  auto t = buy(*ctx, buyer(c, "B2", "ID000002"));
  ASSERT_TRUE(t.ok());
  auto paid = pay(*ctx, {t->code, "qrcode", "REF-1"});
  ASSERT_TRUE(paid.ok()) << paid.error().message();
  EXPECT_EQ(paid->status, TicketStatus::kSuccess);
  auto again = pay(*ctx, {t->code, "QRCODE", "REF-1"});
  ASSERT_TRUE(again.ok());
  auto other = pay(*ctx, {t->code, "QRCODE", "REF-2"});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'paid'"), 1);
  // A reference belongs to one ticket only.
  auto u = buy(*ctx, buyer(c, "B3", "ID000003"));
  ASSERT_TRUE(u.ok());
  auto reused = pay(*ctx, {u->code, "QRCODE", "REF-1"});
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(reused.error().message(),
            "payment reference REF-1 on QRCODE is already used by another payment");
  auto grid = read_seat_grid(*ctx, c);
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ(grid->buy[11], SeatState::kTaken);
  EXPECT_EQ(grid->buy[12], SeatState::kHeld);
  EXPECT_EQ(pay(*ctx, {"TB-ZZZZZZZZ", "DIRECT", "X"}).error().kind(), ErrorKind::kNotFound);
}

// A payment after the deadline: the ticket is revived while its seats are
// free, in MySQL and in Redis; once a seat is sold meanwhile, the money is
// recorded as due back and the ticket stays failed.
TEST(Pay, PastTheDeadlineRevivesWhileTheSeatsAreFreeElseTheMoneyIsDue) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {1, 5, 0, 1, 1});
  auto t = buy(*ctx, buyer(c, "A3", "ID000004"));
  auto lost = buy(*ctx, buyer(c, "A4", "ID000006"));
  ASSERT_TRUE(t.ok() && lost.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  // A3's hold ran out but nobody took the seat: the payment revives it.
  bool revived = false;
  auto late = pay(*ctx, {t->code, "DIRECT", "LATE-1"}, &revived);
  ASSERT_TRUE(late.ok()) << late.error().message();
  EXPECT_TRUE(revived);
  EXPECT_EQ(find_ticket(*ctx, t->code)->status, TicketStatus::kSuccess);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'revived'"), 1);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM PAYMENTS WHERE state = 'PAID'"), 1);
  // The same payment again changes nothing.
  EXPECT_TRUE(pay(*ctx, {t->code, "DIRECT", "LATE-1"}).ok());
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM PAYMENTS"), 1);

  // A4's hold ran out, expired, and the seat was bought by another.
  ASSERT_TRUE(expire_due(*ctx, c, 10).ok());
  ASSERT_TRUE(buy(*ctx, buyer(c, "A4", "ID000005")).ok());
  auto refused = pay(*ctx, {lost->code, "DIRECT", "LATE-2"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind(), ErrorKind::kExpired);
  EXPECT_NE(refused.error().message().find("REFUND_DUE"), std::string::npos)
      << refused.error().message();
  EXPECT_EQ(find_ticket(*ctx, lost->code)->status, TicketStatus::kFail);
  EXPECT_EQ(scalar_sql(*ctx,
                       "SELECT COUNT(*) FROM PAYMENTS WHERE state = 'REFUND_DUE' AND "
                       "reference = 'LATE-2' AND amount = 10.00"),
            1);
  EXPECT_EQ(redis_taken(*ctx, c), mysql_taken(*ctx, c));
  EXPECT_EQ(redis_taken(*ctx, c), (std::set<int>{2, 3}));
}

TEST(Expire, ReleasesDueHoldsOnceAndConfirmsPaidOnes) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {1, 5, 0, 1, 1});
  auto a = buy(*ctx, buyer(c, "A1", "ID000006"));
  auto b = buy(*ctx, buyer(c, "A2", "ID000007"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(pay(*ctx, {b->code, "PAYPLAT", "P-7"}).ok());
  // A hold whose buyer died before writing MySQL.
  ASSERT_TRUE(
      hold_seats(*ctx, c, "TB-0RPHAN00", wall_clock_ms() - kOrphanHoldGraceMs - 1, {4}).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto first = expire_due(*ctx, c, 100);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(first->expired, 1);
  EXPECT_EQ(first->released, 1);
  auto second = expire_due(*ctx, c, 100);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->expired + second->released + second->confirmed, 0);
  EXPECT_EQ(redis_taken(*ctx, c), std::set<int>{1});
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'expired'"), 1);
  EXPECT_EQ(find_ticket(*ctx, a->code)->reason, FailReason::kExpired);
}

TEST(Expire, HelperConnectionsShareABatchAndEveryHoldEndsOnce) {
  TestEnv env;
  auto ctx = env.context();
  auto helper1 = env.context();
  auto helper2 = env.context();
  const int holds = 240;
  Concert c = make_concert(*ctx, {3, 100, 0, 1, 1});
  std::set<int> paid;
  for (int i = 0; i < holds; ++i) {
    const std::string seat = seat_label(seat_at(Zone::kBuy, i, c.layout));
    auto t = buy(*ctx, buyer(c, seat, "EXPH" + std::to_string(100000 + i)));
    ASSERT_TRUE(t.ok()) << t.error().message();
    if (i % 12 != 0) continue;
    ASSERT_TRUE(pay(*ctx, {t->code, "PAYPLAT", "H-" + std::to_string(i)}).ok());
    paid.insert(i);
  }
  // Two holds whose buyers died before writing MySQL.
  for (int seat : {holds, holds + 1}) {
    ASSERT_TRUE(hold_seats(*ctx, c, "TB-0RPHAN" + std::to_string(seat % 10) + "X",
                           wall_clock_ms() - kOrphanHoldGraceMs - 1, {seat})
                    .ok());
  }
  const SeatMapKeys keys = seat_map_keys(*ctx, c.id);
  auto gen = [&] {
    Redis* redis = *ctx->redis();
    auto r = redis->command({"HGET", keys.meta, "gen"});
    return std::stoll(reply_string(r->get()));
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  const long long gen_before = gen();

  auto first = expire_due(*ctx, {helper1.get(), helper2.get()}, c, 1000);
  ASSERT_TRUE(first.ok()) << first.error().message();
  const int expired = holds - static_cast<int>(paid.size());
  EXPECT_EQ(first->expired, expired);
  EXPECT_EQ(first->confirmed, 0) << "paid holds were confirmed by pay";
  EXPECT_EQ(first->released, 2);
  EXPECT_EQ(first->lag_ms.size(), static_cast<size_t>(expired));
  auto second = expire_due(*ctx, {helper1.get(), helper2.get()}, c, 1000);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->expired + second->released + second->confirmed, 0);

  // One change (and one event) for each hold released; the map holds
  // nothing more.
  EXPECT_EQ(gen() - gen_before, expired + 2);
  EXPECT_EQ(redis_taken(*ctx, c), paid);
  Redis* redis = *ctx->redis();
  EXPECT_EQ(reply_string(redis->command({"ZCARD", keys.holds})->get()), "0");
  EXPECT_EQ(reply_string(redis->command({"HLEN", keys.holdseats})->get()), "0");
  EXPECT_EQ(reply_string(redis->command({"HGET", keys.meta, "held"})->get()), "0");
  const std::string of_concert = " AND concert_id = " + std::to_string(c.id);
  EXPECT_EQ(
      scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'expired'" + of_concert),
      expired);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS WHERE reason = 'EXPIRED'" + of_concert),
            expired);
  EXPECT_EQ(double_bookings(*ctx, c), 0);
}

// (a) Many buyers, one concert, until it is sold out.
// Each buy runs under a shared lock of `gate`, when given, so that
// `on_sale` can stop every buyer between two buys.
void sell_out(const TestEnv& env, const Concert& c, int buyers,
              const std::function<void(int)>& on_sale, std::shared_mutex* gate = nullptr) {
  const int seats = c.layout.paid_seats();
  std::vector<std::atomic<bool>> sold(static_cast<size_t>(seats));
  std::atomic<int> wins{0}, unexpected{0};
  std::vector<std::thread> threads;
  for (int b = 0; b < buyers; ++b) {
    threads.emplace_back([&, b] {
      auto ctx = env.context();
      std::vector<int> order(static_cast<size_t>(seats));
      for (int i = 0; i < seats; ++i) order[static_cast<size_t>(i)] = i;
      std::shuffle(order.begin(), order.end(), std::mt19937(static_cast<unsigned>(b)));
      int customer = 0;
      for (int idx : order) {
        if (sold[static_cast<size_t>(idx)]) continue;
        const std::string label = seat_label(seat_at(Zone::kBuy, idx, c.layout));
        std::shared_lock<std::shared_mutex> lock;
        if (gate) lock = std::shared_lock(*gate);
        auto t =
            buy(*ctx, buyer(c, label, "B" + std::to_string(b) + "N" + std::to_string(customer)));
        if (lock) lock.unlock();
        if (t.ok()) {
          ++customer;
          sold[static_cast<size_t>(idx)] = true;
          on_sale(++wins);
        } else if (t.error().kind() != ErrorKind::kConflict) {
          ++unexpected;
          ADD_FAILURE() << t.error().message();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(wins.load(), seats) << "every seat sold exactly once";
}

TEST(Contention, SixtyFourBuyersSellOutAThousandSeatsOnce) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {40, 25, 0, 300, 1});
  sell_out(env, c, 64, [](int) {});
  EXPECT_EQ(double_bookings(*ctx, c), 0);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS WHERE status = 'PROCESS'"), 1000);
  EXPECT_EQ(mysql_taken(*ctx, c).size(), 1000u);
  EXPECT_EQ(redis_taken(*ctx, c), mysql_taken(*ctx, c));
  auto a = availability(*ctx, std::to_string(c.id), false);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->buy_free, 0);
  EXPECT_EQ(a->buy_held, 1000);
}

// (c) Payments that arrive around the deadline while the expiry runs: a
// ticket ends paid with its seat taken, or expired with its seat free,
// never both.
TEST(Contention, PayRacingTheDeadlineNeverBothPaysAndReleases) {
  TestEnv env;
  auto ctx = env.context();
  constexpr int kTickets = 40;
  Concert c = make_concert(*ctx, {4, 10, 0, 1, 1});
  std::vector<Ticket> tickets;
  for (int i = 0; i < kTickets; ++i) {
    auto t = buy(
        *ctx, buyer(c, seat_label(seat_at(Zone::kBuy, i, c.layout)), "RACE" + std::to_string(i)));
    ASSERT_TRUE(t.ok()) << t.error().message();
    tickets.push_back(*t);
  }
  std::atomic<bool> done{false};
  std::thread expirer([&] {
    auto ectx = env.context();
    while (!done) {
      auto r = expire_due(*ectx, c, 10);
      EXPECT_TRUE(r.ok()) << r.error().message();
    }
  });
  std::vector<int> outcome(kTickets, -1);
  std::vector<std::thread> payers;
  for (int i = 0; i < kTickets; ++i) {
    payers.emplace_back([&, i] {
      auto pctx = env.context();
      // From 150 ms before the deadline to 150 ms after it.
      const Millis at =
          *tickets[static_cast<size_t>(i)].hold_expires_at - 150 + (i * 300) / kTickets;
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::max<Millis>(0, at - wall_clock_ms())));
      auto r =
          pay(*pctx, {tickets[static_cast<size_t>(i)].code, "DIRECT", "R" + std::to_string(i)});
      outcome[static_cast<size_t>(i)] = r.ok() ? 0 : r.error().exit_code();
    });
  }
  for (auto& p : payers) p.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  done = true;
  expirer.join();
  ASSERT_TRUE(expire_due(*ctx, c, 100).ok());

  const std::set<int> in_redis = redis_taken(*ctx, c);
  int paid = 0, expired = 0;
  for (int i = 0; i < kTickets; ++i) {
    auto t = find_ticket(*ctx, tickets[static_cast<size_t>(i)].code);
    ASSERT_TRUE(t.ok());
    const bool seat_taken = in_redis.count(i) > 0;
    if (t->status == TicketStatus::kSuccess) {
      ++paid;
      EXPECT_EQ(outcome[static_cast<size_t>(i)], 0) << t->code;
      EXPECT_TRUE(t->paid_at.has_value());
      EXPECT_TRUE(seat_taken) << t->code << " is paid but its seat was released";
    } else {
      ++expired;
      EXPECT_EQ(t->status, TicketStatus::kFail);
      EXPECT_EQ(t->reason, FailReason::kExpired);
      EXPECT_EQ(outcome[static_cast<size_t>(i)], 5) << t->code;
      EXPECT_FALSE(t->paid_at.has_value());
      EXPECT_FALSE(seat_taken) << t->code << " expired but its seat is still taken";
    }
  }
  EXPECT_EQ(paid + expired, kTickets);
  // A payment that came after its deadline revived the ticket (its seat was
  // free), whether or not the expiry had come first.
  const int64_t expiries =
      scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'expired'");
  EXPECT_GE(expiries, expired);
  EXPECT_LE(expiries,
            expired + scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'revived'"));
  EXPECT_EQ(redis_taken(*ctx, c), mysql_taken(*ctx, c));
  std::cout << "paid " << paid << ", expired " << expired << " of " << kTickets << "\n";
}

// (d) Redis loses everything in the middle of a sell-out: once with the
// buyers paused, to check that availability is right at once, and once under
// full load. No seat is sold twice.
TEST(Contention, FlushAllDuringASellOut) {
  PrivateSandbox servers;
  TestEnv env(servers.sandbox(), true);
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {40, 25, 0, 300, 1});
  std::atomic<bool> flushed_paused{false}, flushed_live{false};
  std::shared_mutex gate;
  std::atomic<int64_t> checked_taken{-1}, checked_mysql{-2};
  sell_out(
      env, c, 64,
      [&](int wins) {
        if (wins == 300 && !flushed_paused.exchange(true)) {
          // Paused: no buy is between its hold and its commit, so the map
          // rebuilt after the flush must match MySQL exactly.
          std::unique_lock lock(gate);
          auto fctx = env.context();
          redis_do(*fctx, {"FLUSHALL"});
          auto a = availability(*fctx, std::to_string(c.id), false);
          EXPECT_TRUE(a.ok());
          if (a.ok()) checked_taken = a->buy_held + a->buy_sold;
          checked_mysql = static_cast<int64_t>(mysql_taken(*fctx, c).size());
        }
        if (wins == 600 && !flushed_live.exchange(true)) {
          auto fctx = env.context();
          redis_do(*fctx, {"FLUSHALL"});
        }
      },
      &gate);
  EXPECT_TRUE(flushed_paused && flushed_live);
  EXPECT_EQ(checked_taken.load(), checked_mysql.load());
  EXPECT_GE(checked_taken.load(), 300);
  EXPECT_EQ(double_bookings(*ctx, c), 0);
  EXPECT_EQ(mysql_taken(*ctx, c).size(), 1000u);
  // Redis never shows a seat taken that MySQL does not have.
  const auto in_redis = redis_taken(*ctx, c);
  const auto in_mysql = mysql_taken(*ctx, c);
  EXPECT_TRUE(std::includes(in_mysql.begin(), in_mysql.end(), in_redis.begin(), in_redis.end()));
  // After one more loss, availability is exactly MySQL's.
  redis_do(*ctx, {"FLUSHALL"});
  auto a = availability(*ctx, std::to_string(c.id), false);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->buy_free, 0);
  EXPECT_EQ(redis_taken(*ctx, c), in_mysql);
}

// Redis restarted empty (no persistence): the next buy rebuilds the map and
// the seats sold before stay sold.
TEST(ColdCache, RedisRestartedEmptyIsRebuiltOnTheNextOperation) {
  PrivateSandbox servers;
  TestEnv env(servers.sandbox(), true);
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 0, 300, 1});
  auto first = buy(*ctx, buyer(c, "A1", "ID000010"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(pay(*ctx, {first->code, "DIRECT", "RS-1"}).ok());
  ASSERT_TRUE(buy(*ctx, buyer(c, "A2", "ID000011")).ok());
  servers.control("stop", "redis");
  auto down = buy(*ctx, buyer(c, "A3", "ID000012"));
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().kind(), ErrorKind::kUnavailable);
  servers.control("start", "redis");
  EXPECT_TRUE(redis_taken(*ctx, c).empty());  // nothing survived
  auto taken = buy(*ctx, buyer(c, "A1", "ID000013"));
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().message(), "seat A1 is already taken");
  ASSERT_TRUE(buy(*ctx, buyer(c, "A3", "ID000012")).ok());
  EXPECT_EQ(redis_taken(*ctx, c), (std::set<int>{0, 1, 2}));
  auto a = availability(*ctx, c.slug, false);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->buy_sold, 1);
  EXPECT_EQ(a->buy_held, 2);
  EXPECT_EQ(double_bookings(*ctx, c), 0);
}

}  // namespace
}  // namespace ticket
