// Free seats and cancellation through libticket against real servers:
// applications, grants (also racing ones), rejections and cancel.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "redis.h"
#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/apply_free.h"
#include "ticket/availability.h"
#include "ticket/buy.h"
#include "ticket/cancel.h"
#include "ticket/expire.h"
#include "ticket/grant.h"
#include "ticket/pay.h"
#include "ticket/reject.h"
#include "ticket/seat_map.h"
#include "ticket/seat_map_views.h"

namespace ticket {
namespace {

using testing::buyer;
using testing::double_bookings;
using testing::make_concert;
using testing::mysql_taken;
using testing::redis_taken;
using testing::scalar_sql;
using testing::TestEnv;

ApplyFreeRequest applicant(const Concert& c, const std::string& id) {
  ApplyFreeRequest r;
  r.concert = c.slug;
  r.customer = {"Applicant " + id, "25", "female", id};
  r.answers = {"I love this band.", "The encore.", "No."};
  return r;
}

Ticket apply_ok(Context& ctx, const Concert& c, const std::string& id) {
  auto t = apply_free(ctx, applicant(c, id));
  EXPECT_TRUE(t.ok()) << t.error().message();
  return t.ok() ? *t : Ticket{};
}

// Free-zone seat indexes whose bit is set in the Redis free bitmap.
std::set<int> redis_free_taken(Context& ctx, const Concert& c) {
  std::set<int> out;
  auto r = (*ctx.redis())->command({"GET", seat_map_keys(ctx, c.id).free});
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return out;
  const std::string bits = reply_string(r->get());
  for (size_t i = 0; i < bits.size() * 8; ++i) {
    if (static_cast<unsigned char>(bits[i / 8]) & (0x80u >> (i % 8)))
      out.insert(static_cast<int>(i));
  }
  return out;
}

TEST(ApplyFree, CreatesAPendingFreeTicketWithAnswersAndAnAuditRow) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 3, 300, 1});
  ApplyFreeRequest req = applicant(c, "AP000001");
  req.answers.q1 = "Two lines,\nwith a \"quote\"\tand a tab.";
  auto t = apply_free(*ctx, req);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->code.substr(0, 3), "TF-");
  EXPECT_EQ(t->status, TicketStatus::kProcess);
  EXPECT_EQ(t->zone, Zone::kFree);
  EXPECT_TRUE(t->seats.empty());
  EXPECT_FALSE(t->hold_expires_at);
  auto found = find_ticket(*ctx, t->code);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->status, TicketStatus::kProcess);
  EXPECT_TRUE(found->seats.empty());
  EXPECT_FALSE(found->hold_expires_at);
  EXPECT_EQ(
      scalar_sql(*ctx,
                 "SELECT COUNT(*) FROM TICKETS_APPLY_FREE WHERE answer1 = 'Two lines,\\nwith a "
                 "\"quote\"\\tand a tab.'"
                 " AND answer2 = 'The encore.' AND answer3 = 'No.' AND decided_by IS NULL"),
      1);
  EXPECT_EQ(
      scalar_sql(*ctx,
                 "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'applied' AND ticket_code = '" +
                     t->code + "'"),
      1);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKET_SEATS"), 0);
  // An application takes no seat in Redis.
  auto a = availability(*ctx, c.slug, false);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->free_granted, 0);
  EXPECT_EQ(a->free_pending, 1);
}

// Without bytes from the cryptographic generator there is no code, and the
// application fails before anything is written.
TEST(ApplyFree, FailsAndWritesNothingWhenTheRandomGeneratorFails) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 3, 300, 1});
  const int64_t audit_before = scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG");
  ASSERT_EQ(setenv("TL_FAILPOINT", "random-bytes", 1), 0);
  auto t = apply_free(*ctx, applicant(c, "AP000009"));
  unsetenv("TL_FAILPOINT");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind(), ErrorKind::kInternal);
  EXPECT_EQ(t.error().message(),
            "cannot make a ticket code: the system's random generator gave no bytes");
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS"), 0);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM CUSTOMERS"), 0);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG"), audit_before);
  EXPECT_TRUE(apply_free(*ctx, applicant(c, "AP000009")).ok());
}

TEST(ApplyFree, OneActiveApplicationOrTicketPerCustomerAndConcert) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 3, 300, 1});
  Ticket first = apply_ok(*ctx, c, "AP000002");
  auto again = apply_free(*ctx, applicant(c, "ap000002"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(again.error().message(),
            "this customer already has an active application or ticket for concert " + c.slug);
  // A buyer cannot also apply, nor an applicant buy.
  ASSERT_TRUE(buy(*ctx, buyer(c, "A1", "BY000001")).ok());
  EXPECT_EQ(apply_free(*ctx, applicant(c, "BY000001")).error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(buy(*ctx, buyer(c, "A2", "AP000002")).error().kind(), ErrorKind::kConflict);
  // Once rejected, the customer may apply again.
  ASSERT_TRUE(reject(*ctx, first.code, std::nullopt).ok());
  EXPECT_TRUE(apply_free(*ctx, applicant(c, "AP000002")).ok());
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS WHERE zone = 'FREE'"), 2);
}

// Later applications and buys with the same security number, under other
// names, leave a granted application's holder as it was given.
TEST(ApplyFree, LaterApplicationsAndBuysNeverChangeAnEarlierHolder) {
  TestEnv env;
  auto ctx = env.context();
  Concert first = make_concert(*ctx, {2, 5, 3, 300, 1});
  Concert second = make_concert(*ctx, {2, 5, 3, 300, 1});
  Concert third = make_concert(*ctx, {2, 5, 3, 300, 1});
  ApplyFreeRequest ada = applicant(first, "SAME000002");
  ada.customer = {"Ada Lovelace", "36", "Female", "SAME000002"};
  auto granted = apply_free(*ctx, ada);
  ASSERT_TRUE(granted.ok()) << granted.error().message();
  ASSERT_TRUE(grant(*ctx, granted->code).ok());
  EXPECT_EQ(granted->customer_age, 36);
  EXPECT_EQ(granted->customer_gender, "Female");

  ApplyFreeRequest eve = applicant(second, "same000002");
  eve.customer = {"Eve Eavesdropper", "51", "LGBT+", "same000002"};
  auto applied = apply_free(*ctx, eve);
  ASSERT_TRUE(applied.ok()) << applied.error().message();
  BuyRequest mallory = buyer(third, "A1", "SAME000002");
  mallory.customer = {"Mallory Mallet", "99", "Male", "SAME000002"};
  ASSERT_TRUE(buy(*ctx, mallory).ok());

  auto kept = find_ticket(*ctx, granted->code);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->status, TicketStatus::kSuccess);
  EXPECT_EQ(kept->customer_name, "Ada Lovelace");
  EXPECT_EQ(kept->customer_age, 36);
  EXPECT_EQ(kept->customer_gender, "Female");
  auto theirs = find_ticket(*ctx, applied->code);
  ASSERT_TRUE(theirs.ok());
  EXPECT_EQ(theirs->customer_name, "Eve Eavesdropper");
  EXPECT_EQ(theirs->customer_age, 51);
  EXPECT_EQ(theirs->customer_gender, "LGBT+");
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM CUSTOMERS"), 1);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM CUSTOMERS WHERE name = 'Ada Lovelace'"), 1);
}

TEST(ApplyFree, RefusesBadAnswersClosedConcertsAndConcertsWithoutFreeSeats) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 3, 300, 1});
  auto with_q2 = [&](const std::string& answer) {
    ApplyFreeRequest r = applicant(c, "AP000003");
    r.answers.q2 = answer;
    return apply_free(*ctx, r);
  };
  for (const std::string& bad :
       {std::string(), std::string(2001, 'x'), std::string("bell\x07"), std::string("esc\x1b[2J"),
        std::string("nul\0x", 5), std::string("\xff\xfe"), std::string("del\x7f")}) {
    auto r = with_q2(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalid);
    EXPECT_EQ(r.error().message().rfind("--q2 must be 1 to 2000 characters", 0), 0u)
        << r.error().message();
  }
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS"), 0);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM CUSTOMERS"), 0);
  // 2,000 characters of four bytes each are fine.
  std::string longest;
  for (int i = 0; i < 2000; ++i) longest += "\xF0\x9F\x8D\x8B";  // U+1F34B lemon
  EXPECT_TRUE(with_q2(longest).ok());

  Concert no_free = make_concert(*ctx, {2, 5, 0, 300, 1});
  auto none = apply_free(*ctx, applicant(no_free, "AP000004"));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(none.error().message(), "concert " + no_free.slug + " gives away no free seats");

  ASSERT_TRUE(close_concert(*ctx, c.slug).ok());
  auto closed = apply_free(*ctx, applicant(c, "AP000005"));
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().kind(), ErrorKind::kExpired);
  EXPECT_EQ(closed.error().message(), "applications for concert " + c.slug + " are closed");
}

TEST(Grant, AssignsTheLowestFreeSeatAndMarksItInRedis) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 3, 300, 1});
  std::vector<Ticket> apps;
  for (int i = 0; i < 4; ++i) apps.push_back(apply_ok(*ctx, c, "GR00000" + std::to_string(i)));
  ASSERT_TRUE(read_seat_counts(*ctx, c).ok());  // the map exists, so the grants must update it
  ASSERT_TRUE(ctx->set_actor("alice").ok());
  auto g0 = grant(*ctx, apps[0].code);
  ASSERT_TRUE(g0.ok()) << g0.error().message();
  EXPECT_EQ(g0->status, TicketStatus::kSuccess);
  ASSERT_EQ(g0->seats.size(), 1u);
  EXPECT_EQ(seat_label(g0->seats[0]), "FREE-1");
  auto g1 = grant(*ctx, apps[1].code);
  ASSERT_TRUE(g1.ok());
  EXPECT_EQ(seat_label(g1->seats[0]), "FREE-2");
  EXPECT_EQ(redis_free_taken(*ctx, c), (std::set<int>{0, 1}));
  EXPECT_EQ(scalar_sql(*ctx,
                       "SELECT COUNT(*) FROM TICKETS_APPLY_FREE WHERE decided_by = 'alice' AND "
                       "decided_at IS NOT NULL"),
            2);
  EXPECT_EQ(scalar_sql(*ctx,
                       "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'granted' AND actor = 'alice'"
                       " AND detail = 'seat FREE-1' AND ticket_code = '" +
                           apps[0].code + "'"),
            1);
  auto found = find_ticket(*ctx, apps[1].code);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->status, TicketStatus::kSuccess);
  EXPECT_EQ(seat_label(found->seats.at(0)), "FREE-2");

  // A seat given back is the lowest again.
  ASSERT_TRUE(cancel(*ctx, apps[0].code, "cannot come").ok());
  EXPECT_EQ(redis_free_taken(*ctx, c), (std::set<int>{1}));
  auto g2 = grant(*ctx, apps[2].code);
  ASSERT_TRUE(g2.ok());
  EXPECT_EQ(seat_label(g2->seats[0]), "FREE-1");
  auto g3 = grant(*ctx, apps[3].code);
  ASSERT_TRUE(g3.ok());
  EXPECT_EQ(seat_label(g3->seats[0]), "FREE-3");
  EXPECT_EQ(redis_free_taken(*ctx, c), (std::set<int>{0, 1, 2}));
  auto a = availability(*ctx, c.slug, false);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->free_granted, 3);
  EXPECT_EQ(a->free_pending, 0);
  // A map rebuilt from MySQL shows the same granted seats.
  testing::redis_do(*ctx, {"DEL", seat_map_keys(*ctx, c.id).meta});
  auto grid = read_seat_grid(*ctx, c);
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ(grid->free,
            (std::vector<SeatState>{SeatState::kTaken, SeatState::kTaken, SeatState::kTaken}));
}

TEST(Grant, TenRacingGrantsForThreeFreeSeatsGiveEachSeatOnce) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 3, 300, 1});
  constexpr int kApplicants = 10;
  std::vector<Ticket> apps;
  for (int i = 0; i < kApplicants; ++i)
    apps.push_back(apply_ok(*ctx, c, "RACE" + std::to_string(1000 + i)));
  ASSERT_TRUE(read_seat_counts(*ctx, c).ok());

  std::vector<std::optional<Result<Ticket>>> results(kApplicants);
  std::atomic<int> ready{0};
  std::vector<std::thread> admins;
  for (int i = 0; i < kApplicants; ++i) {
    admins.emplace_back([&, i] {
      auto actx = env.context();
      ASSERT_TRUE(actx->set_actor("admin" + std::to_string(i)).ok());
      ASSERT_TRUE(actx->db().ok());  // connected before the start line
      ++ready;
      while (ready.load() < kApplicants) std::this_thread::yield();
      results[static_cast<size_t>(i)].emplace(grant(*actx, apps[static_cast<size_t>(i)].code));
    });
  }
  for (auto& t : admins) t.join();

  std::set<std::string> seats;
  int wins = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r.has_value());
    if (r->ok()) {
      ++wins;
      ASSERT_EQ((*r)->seats.size(), 1u);
      seats.insert(seat_label((*r)->seats[0]));
    } else {
      EXPECT_EQ(r->error().kind(), ErrorKind::kConflict) << r->error().message();
      EXPECT_EQ(r->error().message(), "no free seat left in concert " + c.slug);
    }
  }
  EXPECT_EQ(wins, 3);
  EXPECT_EQ(seats, (std::set<std::string>{"FREE-1", "FREE-2", "FREE-3"}));
  EXPECT_EQ(double_bookings(*ctx, c), 0);
  EXPECT_EQ(
      scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKET_SEATS WHERE zone = 'FREE' AND active = 1"), 3);
  EXPECT_EQ(
      scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS WHERE zone = 'FREE' AND status = 'SUCCESS'"),
      3);
  EXPECT_EQ(
      scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS WHERE zone = 'FREE' AND status = 'PROCESS'"),
      7);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'granted'"), 3);
  EXPECT_EQ(redis_free_taken(*ctx, c), (std::set<int>{0, 1, 2}));
}

TEST(Grant, RefusesPaidTicketsDecidedApplicationsAndUnknownCodes) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 3, 300, 1});
  auto bought = buy(*ctx, buyer(c, "A1", "GX000001"));
  ASSERT_TRUE(bought.ok());
  auto paid_ticket = grant(*ctx, bought->code);
  ASSERT_FALSE(paid_ticket.ok());
  EXPECT_EQ(paid_ticket.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(paid_ticket.error().message(),
            "ticket " + bought->code + " is a paid ticket, not a free-seat application");

  Ticket a = apply_ok(*ctx, c, "GX000002");
  ASSERT_TRUE(grant(*ctx, a.code).ok());
  auto twice = grant(*ctx, a.code);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(twice.error().message(), "application " + a.code + " was already granted seat FREE-1");

  Ticket b = apply_ok(*ctx, c, "GX000003");
  ASSERT_TRUE(reject(*ctx, b.code, std::nullopt).ok());
  auto rejected = grant(*ctx, b.code);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().message(),
            "application " + b.code + " was rejected; it cannot be granted");

  EXPECT_EQ(grant(*ctx, "TF-ZZZZZZZZ").error().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(grant(*ctx, "abc").error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKET_SEATS WHERE zone = 'FREE'"), 1);
}

TEST(Reject, FailsTheApplicationWithTheDecisionAndNote) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 3, 300, 1});
  Ticket a = apply_ok(*ctx, c, "RJ000001");
  ASSERT_TRUE(ctx->set_actor("Bob Ops").ok());
  auto r = reject(*ctx, a.code, std::string("Not eligible, sorry"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status, TicketStatus::kFail);
  EXPECT_EQ(r->reason, FailReason::kRejected);
  EXPECT_EQ(scalar_sql(*ctx,
                       "SELECT COUNT(*) FROM TICKETS_APPLY_FREE WHERE decided_by = 'Bob Ops'"
                       " AND note = 'Not eligible, sorry' AND decided_at IS NOT NULL"),
            1);
  EXPECT_EQ(
      scalar_sql(*ctx,
                 "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'rejected' AND actor = 'Bob Ops'"
                 " AND detail = 'Not eligible, sorry'"),
      1);
  auto twice = reject(*ctx, a.code, std::nullopt);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(twice.error().message(), "application " + a.code + " was already rejected");

  Ticket g = apply_ok(*ctx, c, "RJ000002");
  ASSERT_TRUE(grant(*ctx, g.code).ok());
  EXPECT_EQ(reject(*ctx, g.code, std::nullopt).error().kind(), ErrorKind::kConflict);
  Ticket n = apply_ok(*ctx, c, "RJ000003");
  auto bad_note = reject(*ctx, n.code, std::string("line\nbreak"));
  ASSERT_FALSE(bad_note.ok());
  EXPECT_EQ(bad_note.error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(reject(*ctx, n.code, std::string()).error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(reject(*ctx, n.code, std::string(501, 'n')).error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(find_ticket(*ctx, n.code)->status, TicketStatus::kProcess);
  EXPECT_EQ(reject(*ctx, "TF-ZZZZZZZZ", std::nullopt).error().kind(), ErrorKind::kNotFound);
}

TEST(RejectPending, LeavesNothingPendingAndGrantedSeatsAlone) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 3, 300, 1});
  Concert other = make_concert(*ctx, {2, 5, 3, 300, 1});
  std::vector<Ticket> apps;
  for (int i = 0; i < 6; ++i) apps.push_back(apply_ok(*ctx, c, "RP00000" + std::to_string(i)));
  Ticket elsewhere = apply_ok(*ctx, other, "RP000009");
  ASSERT_TRUE(grant(*ctx, apps[1].code).ok());
  ASSERT_TRUE(reject(*ctx, apps[2].code, std::nullopt).ok());

  auto r = reject_pending(*ctx, c.slug, std::string("all seats are gone"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->concert.id, c.id);
  EXPECT_EQ(r->codes,
            (std::vector<std::string>{apps[0].code, apps[3].code, apps[4].code, apps[5].code}));
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS WHERE concert_id = " +
                                 std::to_string(c.id) + " AND status = 'PROCESS'"),
            0);
  EXPECT_EQ(find_ticket(*ctx, apps[1].code)->status, TicketStatus::kSuccess);
  EXPECT_EQ(find_ticket(*ctx, elsewhere.code)->status, TicketStatus::kProcess);
  EXPECT_EQ(scalar_sql(*ctx,
                       "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'rejected' AND detail = 'all "
                       "seats are gone'"),
            4);
  auto again = reject_pending(*ctx, c.slug, std::nullopt);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->codes.empty());
  EXPECT_EQ(reject_pending(*ctx, "no-such-concert", std::nullopt).error().kind(),
            ErrorKind::kNotFound);
}

TEST(Cancel, FreesAPaidSeatForTheNextBuyerInMysqlAndRedis) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 0, 300, 1});
  auto t = buy(*ctx, buyer(c, "B3", "CN000001"));
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(pay(*ctx, {t->code, "DIRECT", "CN-1"}).ok());
  EXPECT_EQ(buy(*ctx, buyer(c, "B3", "CN000002")).error().kind(), ErrorKind::kConflict);

  ASSERT_TRUE(ctx->set_actor("carol").ok());
  auto cancelled = cancel(*ctx, t->code, "refund requested by phone");
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message();
  EXPECT_EQ(cancelled->ticket.status, TicketStatus::kFail);
  EXPECT_EQ(cancelled->ticket.reason, FailReason::kCancelled);
  EXPECT_EQ(cancelled->cache_warning, "");
  EXPECT_TRUE(mysql_taken(*ctx, c).empty());
  EXPECT_TRUE(redis_taken(*ctx, c).empty());
  EXPECT_EQ(
      scalar_sql(*ctx,
                 "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'cancelled' AND actor = 'carol'"
                 " AND detail = 'refund requested by phone' AND ticket_code = '" +
                     t->code + "'"),
      1);

  auto next = buy(*ctx, buyer(c, "B3", "CN000002"));
  ASSERT_TRUE(next.ok()) << next.error().message();
  EXPECT_EQ(mysql_taken(*ctx, c), std::set<int>{7});
  EXPECT_EQ(redis_taken(*ctx, c), std::set<int>{7});

  auto twice = cancel(*ctx, t->code, "again");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(twice.error().message(), "ticket " + t->code + " was already cancelled");
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'cancelled'"), 1);
  // The first customer may buy again, too.
  EXPECT_TRUE(buy(*ctx, buyer(c, "B4", "CN000001")).ok());
}

TEST(Cancel, ReleasesAHoldAndAGrantedFreeSeatAndRefusesFailedTickets) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {1, 5, 2, 1, 1});
  auto held = buy(*ctx, buyer(c, "A2", "CH000001"));
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(cancel(*ctx, held->code, "duplicate order").ok());
  EXPECT_TRUE(redis_taken(*ctx, c).empty());
  auto holds = (*ctx->redis())->command({"ZSCORE", seat_map_keys(*ctx, c.id).holds, held->code});
  ASSERT_TRUE(holds.ok());
  EXPECT_EQ((*holds)->type, REDIS_REPLY_NIL) << "the hold is forgotten";
  EXPECT_TRUE(buy(*ctx, buyer(c, "A2", "CH000002")).ok());
  // Paying a cancelled hold is refused, and the money recorded as due back.
  EXPECT_EQ(pay(*ctx, {held->code, "DIRECT", "CH-1"}).error().kind(), ErrorKind::kExpired);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM PAYMENTS WHERE state = 'REFUND_DUE'"), 1);

  Ticket app = apply_ok(*ctx, c, "CH000003");
  ASSERT_TRUE(grant(*ctx, app.code).ok());
  EXPECT_EQ(redis_free_taken(*ctx, c), std::set<int>{0});
  auto freed = cancel(*ctx, app.code, "no show");
  ASSERT_TRUE(freed.ok());
  EXPECT_TRUE(redis_free_taken(*ctx, c).empty());
  Ticket next = apply_ok(*ctx, c, "CH000004");
  auto regranted = grant(*ctx, next.code);
  ASSERT_TRUE(regranted.ok());
  EXPECT_EQ(seat_label(regranted->seats.at(0)), "FREE-1");

  // A pending application can be withdrawn; an expired ticket cannot be cancelled.
  Ticket pending = apply_ok(*ctx, c, "CH000005");
  EXPECT_TRUE(cancel(*ctx, pending.code, "withdrawn").ok());
  auto late = buy(*ctx, buyer(c, "A4", "CH000006"));
  ASSERT_TRUE(late.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  ASSERT_TRUE(expire_due(*ctx, c, 10).ok());
  auto expired_one = cancel(*ctx, late->code, "too late");
  ASSERT_FALSE(expired_one.ok());
  EXPECT_EQ(expired_one.error().message(), "ticket " + late->code + " was already expired");
  EXPECT_EQ(cancel(*ctx, "TB-ZZZZZZZZ", "x").error().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(cancel(*ctx, late->code, "").error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(cancel(*ctx, late->code, "bad\x01").error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(double_bookings(*ctx, c), 0);
}

}  // namespace
}  // namespace ticket
