// Listing tickets, the figures of a sale and demo data through libticket
// against real servers.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <thread>

#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/apply_free.h"
#include "ticket/buy.h"
#include "ticket/cancel.h"
#include "ticket/expire.h"
#include "ticket/grant.h"
#include "ticket/listing.h"
#include "ticket/mock_data.h"
#include "ticket/pay.h"
#include "ticket/stats.h"

namespace ticket {
namespace {

using testing::buyer;
using testing::double_bookings;
using testing::make_concert;
using testing::mysql_taken;
using testing::redis_taken;
using testing::scalar_sql;
using testing::TestEnv;

// Every matching ticket, fetched page by page.
std::vector<ListedTicket> all_pages(Context& ctx, TicketFilter filter, int limit) {
  std::vector<ListedTicket> out;
  filter.limit = std::to_string(limit);
  for (int page = 1;; ++page) {
    filter.page = std::to_string(page);
    auto p = list_tickets(ctx, filter);
    EXPECT_TRUE(p.ok()) << p.error().message();
    if (!p.ok() || p->tickets.empty()) break;
    EXPECT_LE(p->tickets.size(), static_cast<size_t>(limit));
    out.insert(out.end(), p->tickets.begin(), p->tickets.end());
  }
  return out;
}

// Each listed ticket shows the holder it was bought or applied for with,
// though a later customer gave the same security number under another name.
TEST(Listing, ShowsEachTicketsOwnHolder) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 3, 300, 1});
  Concert later = make_concert(*ctx, {2, 5, 3, 300, 1});
  ApplyFreeRequest app;
  app.concert = c.slug;
  app.customer = {"Zoë O'Brien", "44", "LGBT+", "LS000009"};
  app.answers = {"one", "two", "three"};
  ASSERT_TRUE(apply_free(*ctx, app).ok());
  BuyRequest other = buyer(later, "A1", "ls000009");
  other.customer = {"Mallory Mallet", "99", "Male", "ls000009"};
  ASSERT_TRUE(buy(*ctx, other).ok());

  TicketFilter of_c;
  of_c.concert = c.slug;
  auto listed = list_applications(*ctx, of_c, false);
  ASSERT_TRUE(listed.ok()) << listed.error().message();
  ASSERT_EQ(listed->tickets.size(), 1u);
  const Ticket& kept = listed->tickets[0].ticket;
  EXPECT_EQ(kept.customer_name, "Zoë O'Brien");
  EXPECT_EQ(kept.customer_age, 44);
  EXPECT_EQ(kept.customer_gender, "LGBT+");
  EXPECT_EQ(kept.customer_last4, "0009");
  auto all = list_tickets(*ctx, {});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->tickets.size(), 2u);
  EXPECT_EQ(all->tickets[1].ticket.customer_name, "Mallory Mallet");
  EXPECT_EQ(all->tickets[1].ticket.customer_age, 99);
  EXPECT_EQ(all->tickets[1].ticket.customer_gender, "Male");
}

TEST(Listing, FiltersByConcertStatusAndZoneAndPages) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 3, 300, 2});
  Concert other = make_concert(*ctx, {2, 5, 3, 300, 1});
  BuyRequest two = buyer(c, "", "LS000001");
  two.seats = {"A1", "A2"};
  auto paid = buy(*ctx, two);
  ASSERT_TRUE(paid.ok());
  ASSERT_TRUE(pay(*ctx, {paid->code, "QRCODE", "LS-1"}).ok());
  ASSERT_TRUE(buy(*ctx, buyer(c, "B1", "LS000002")).ok());
  ApplyFreeRequest app;
  app.concert = c.slug;
  app.customer = {"Zoë O'Brien", "44", "LGBT+", "LS000003"};
  app.answers = {"one", "two,\nthree", "\"four\""};
  auto applied = apply_free(*ctx, app);
  ASSERT_TRUE(applied.ok());
  ASSERT_TRUE(buy(*ctx, buyer(other, "A1", "LS000004")).ok());

  auto everything = list_tickets(*ctx, {});
  ASSERT_TRUE(everything.ok()) << everything.error().message();
  EXPECT_EQ(everything->total, 4);
  EXPECT_EQ(everything->page, 1);
  EXPECT_EQ(everything->limit, kDefaultPageLimit);
  ASSERT_EQ(everything->tickets.size(), 4u);
  const Ticket& first = everything->tickets[0].ticket;
  EXPECT_EQ(first.code, paid->code);
  EXPECT_EQ(first.status, TicketStatus::kSuccess);
  ASSERT_EQ(first.seats.size(), 2u);
  EXPECT_EQ(seat_label(first.seats[0]), "A1");
  EXPECT_EQ(seat_label(first.seats[1]), "A2");
  EXPECT_EQ(first.amount, 2000);
  EXPECT_EQ(first.platform, "QRCODE");
  EXPECT_TRUE(first.paid_at.has_value());
  EXPECT_EQ(first.customer_last4, "0001");
  EXPECT_FALSE(everything->tickets[0].application.has_value());
  const ListedTicket& free_row = everything->tickets[2];
  ASSERT_TRUE(free_row.application.has_value());
  EXPECT_EQ(free_row.ticket.customer_name, "Zoë O'Brien");
  EXPECT_EQ(free_row.application->answers.q2, "two,\nthree");
  EXPECT_EQ(free_row.application->answers.q3, "\"four\"");
  EXPECT_EQ(free_row.application->decided_by, "");

  TicketFilter of_c;
  of_c.concert = c.slug;
  EXPECT_EQ(list_tickets(*ctx, of_c)->total, 3);
  of_c.status = "process";
  EXPECT_EQ(list_tickets(*ctx, of_c)->total, 2);
  of_c.zone = "buy";
  auto held = list_tickets(*ctx, of_c);
  ASSERT_EQ(held->tickets.size(), 1u);
  EXPECT_EQ(seat_label(held->tickets[0].ticket.seats.at(0)), "B1");

  TicketFilter paged;
  paged.limit = "3";
  paged.page = "2";
  auto second = list_tickets(*ctx, paged);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->total, 4);
  ASSERT_EQ(second->tickets.size(), 1u);
  EXPECT_EQ(second->tickets[0].ticket.concert_id, other.id);
  paged.page = "3";
  EXPECT_TRUE(list_tickets(*ctx, paged)->tickets.empty());

  auto apps = list_applications(*ctx, of_c, true);
  ASSERT_FALSE(apps.ok()) << "a zone is not given to applications";
  TicketFilter for_apps;
  for_apps.concert = std::to_string(c.id);
  auto pending = list_applications(*ctx, for_apps, true);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->tickets.size(), 1u);
  ASSERT_TRUE(grant(*ctx, applied->code).ok());
  EXPECT_TRUE(list_applications(*ctx, for_apps, true)->tickets.empty());
  auto decided = list_applications(*ctx, for_apps, false);
  ASSERT_EQ(decided->tickets.size(), 1u);
  EXPECT_EQ(decided->tickets[0].application->decided_by, ctx->actor());
  EXPECT_TRUE(decided->tickets[0].application->decided_at.has_value());
  EXPECT_EQ(seat_label(decided->tickets[0].ticket.seats.at(0)), "FREE-1");
}

TEST(Listing, RefusesBadFilters) {
  TestEnv env;
  auto ctx = env.context();
  struct Case {
    TicketFilter filter;
    std::string message;
  };
  auto with = [](auto set) {
    TicketFilter f;
    set(f);
    return f;
  };
  const std::vector<Case> cases = {
      {with([](TicketFilter& f) { f.status = "PAID"; }),
       "--status must be PROCESS, SUCCESS or FAIL, got 'PAID'"},
      {with([](TicketFilter& f) { f.zone = "VIP"; }), "--zone must be BUY or FREE, got 'VIP'"},
      {with([](TicketFilter& f) { f.page = "0"; }),
       "--page must be a whole number from 1, got '0'"},
      {with([](TicketFilter& f) { f.page = "-1"; }),
       "--page must be a whole number from 1, got '-1'"},
      {with([](TicketFilter& f) { f.limit = "10001"; }),
       "--limit must be a whole number from 1 to 10000, got '10001'"},
      {with([](TicketFilter& f) { f.limit = "abc"; }),
       "--limit must be a whole number from 1 to 10000, got 'abc'"},
      {with([](TicketFilter& f) { f.concert = "x' OR 1=1 --"; }),
       "'x\\' OR 1=1 --' is not a concert id or slug (see: tl-admin concert list)"},
  };
  for (const auto& c : cases) {
    auto r = list_tickets(*ctx, c.filter);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalid);
    EXPECT_EQ(r.error().message(), c.message);
  }
  TicketFilter missing;
  missing.concert = "no-such-concert";
  EXPECT_EQ(list_tickets(*ctx, missing).error().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(list_applications(*ctx, {}, false).error().kind(), ErrorKind::kInvalid);
}

TEST(Stats, AgreesWithTheTicketListing) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {10, 5, 6, 2, 2});
  MockRequest mock{c.slug, "40", 20261125};
  auto made = mock_data(*ctx, mock);
  ASSERT_TRUE(made.ok()) << made.error().message();
  // One hold that runs out and one paid ticket cancelled.
  BuyRequest best = buyer(c, "", "ST000001");
  best.best = 1;
  auto expiring = buy(*ctx, best);
  ASSERT_TRUE(expiring.ok()) << expiring.error().message();
  best.customer.id_number = "ST000002";
  auto refunded = buy(*ctx, best);
  ASSERT_TRUE(refunded.ok()) << refunded.error().message();
  ASSERT_TRUE(pay(*ctx, {refunded->code, "DIRECT", "ST-2"}).ok());
  ASSERT_TRUE(cancel(*ctx, refunded->code, "refund").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  ASSERT_TRUE(expire_due(*ctx, c, 100).ok());

  auto st = sale_stats(*ctx, c.slug);
  ASSERT_TRUE(st.ok()) << st.error().message();
  TicketFilter filter;
  filter.concert = c.slug;
  const auto rows = all_pages(*ctx, filter, 7);
  ASSERT_EQ(static_cast<int64_t>(rows.size()), scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS"));

  int64_t sold = 0, held = 0, expired = 0, cancelled = 0, granted = 0, pending = 0, rejected = 0;
  Cents revenue = 0;
  for (const auto& row : rows) {
    const Ticket& t = row.ticket;
    const auto seats = static_cast<int64_t>(t.seats.size());
    if (t.zone == Zone::kBuy) {
      if (t.status == TicketStatus::kSuccess) {
        sold += seats;
        revenue += t.amount;
      }
      if (t.status == TicketStatus::kProcess) held += seats;
      if (t.reason == FailReason::kExpired) expired += seats;
      if (t.reason == FailReason::kCancelled) cancelled += seats;
    } else {
      if (t.status == TicketStatus::kSuccess) granted += seats;
      if (t.status == TicketStatus::kProcess) ++pending;
      if (t.reason == FailReason::kRejected) ++rejected;
    }
  }
  EXPECT_EQ(st->sold, sold);
  EXPECT_EQ(st->held, held);
  EXPECT_EQ(st->expired, expired);
  EXPECT_EQ(st->cancelled, cancelled);
  EXPECT_EQ(st->free_granted, granted);
  EXPECT_EQ(st->free_pending, pending);
  EXPECT_EQ(st->free_rejected, rejected);
  EXPECT_EQ(st->revenue, revenue);
  EXPECT_EQ(st->currency, "EUR");
  EXPECT_EQ(st->seats, 56);
  EXPECT_GE(st->expired, 1);
  EXPECT_GE(st->cancelled, 1);
  EXPECT_GT(st->sold, 0);
  EXPECT_DOUBLE_EQ(st->fill_percent,
                   std::round(1000.0 * static_cast<double>(sold + granted) / 56.0) / 10.0);
  ASSERT_TRUE(st->conversion_percent.has_value());
  EXPECT_DOUBLE_EQ(*st->conversion_percent, std::round(1000.0 * static_cast<double>(sold) /
                                                       static_cast<double>(sold + expired + held)) /
                                                10.0);
}

TEST(Stats, ConversionIsUnknownBeforeAnySeatWasHeld) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {2, 5, 0, 300, 1});
  auto st = sale_stats(*ctx, std::to_string(c.id));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->sold + st->held + st->expired, 0);
  EXPECT_DOUBLE_EQ(st->fill_percent, 0.0);
  EXPECT_FALSE(st->conversion_percent.has_value());
  EXPECT_EQ(sale_stats(*ctx, "nope").error().kind(), ErrorKind::kNotFound);
}

TEST(MockData, MakesAMixOfTicketsThroughTheRealOperations) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {10, 10, 20, 300, 4});
  ASSERT_TRUE(ctx->set_actor("demo").ok());
  auto r = mock_data(*ctx, {c.slug, "80", 42});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->customers, 80);
  EXPECT_EQ(r->paid + r->held + r->granted + r->rejected + r->pending + r->skipped, 80);
  EXPECT_GT(r->paid, 0);
  EXPECT_GT(r->held, 0);
  EXPECT_GT(r->granted, 0);
  EXPECT_GT(r->rejected, 0);
  EXPECT_GT(r->pending, 0);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM CUSTOMERS"), 80 - r->skipped);
  EXPECT_GE(scalar_sql(*ctx, "SELECT COUNT(DISTINCT name) FROM CUSTOMERS"), 40) << "varied names";
  EXPECT_EQ(
      scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'paid' AND actor = 'demo'"),
      r->paid);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'granted'"),
            r->granted);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'rejected'"),
            r->rejected);
  EXPECT_EQ(
      scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKETS WHERE zone = 'FREE' AND status = 'PROCESS'"),
      r->pending);
  EXPECT_EQ(double_bookings(*ctx, c), 0);
  EXPECT_EQ(redis_taken(*ctx, c), mysql_taken(*ctx, c));

  EXPECT_EQ(mock_data(*ctx, {c.slug, "0", 1}).error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(mock_data(*ctx, {c.slug, "10001", 1}).error().kind(), ErrorKind::kInvalid);
  ASSERT_TRUE(close_concert(*ctx, c.slug).ok());
  EXPECT_EQ(mock_data(*ctx, {c.slug, "5", 1}).error().kind(), ErrorKind::kExpired);
}

TEST(MockData, FillsASmallConcertAndSkipsWhoFindsNothingLeft) {
  TestEnv env;
  auto ctx = env.context();
  Concert c = make_concert(*ctx, {1, 2, 1, 300, 1});
  auto r = mock_data(*ctx, {c.slug, "30", 7});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->paid + r->held, 2);
  EXPECT_LE(r->granted, 1);
  EXPECT_EQ(scalar_sql(*ctx, "SELECT COUNT(*) FROM TICKET_SEATS WHERE status <> 'FAIL'"),
            2 + r->granted);
  EXPECT_EQ(double_bookings(*ctx, c), 0);
}

}  // namespace
}  // namespace ticket
