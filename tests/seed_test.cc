#include "ticket/seed.h"

#include <gtest/gtest.h>

#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/apply_free.h"
#include "ticket/audit.h"
#include "ticket/cancel.h"
#include "ticket/grant.h"
#include "ticket/pay.h"

namespace ticket {
namespace {

using testing::buyer;
using testing::exec_sql;
using testing::insert_raw_ticket;
using testing::scalar_sql;
using testing::TempDir;
using testing::TestEnv;

constexpr const char* kTwoConcerts = R"(
[[concert]]
slug = "big-one"
name = "The Big One"
venue = "Arena"
starts_at = 2026-07-15T20:00:00Z
rows = 10
seats_per_row = 20
free_seats = 100
price = "1500.00"
currency = "EUR"
hold_seconds = 120
max_seats_per_ticket = 4

[[concert]]
slug = "small-one"
name = "The Small One"
rows = 1
seats_per_row = 5
price = "10"
currency = "usd"
)";

class Seed : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = env_.context();
    auto db = ctx_->db();
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = *db;
  }

  Result<std::vector<SeedOutcome>> seed_text(const std::string& text, bool reset = false,
                                             bool delete_sold_tickets = false) {
    const std::string path = dir_.write("seed-" + std::to_string(++files_) + ".toml", text);
    auto concerts = read_seed_file(path);
    if (!concerts.ok()) return std::move(concerts).error();
    return seed(*ctx_, *concerts, SeedOptions{reset, delete_sold_tickets});
  }

  // A ticket bought (and paid when `paid`) through the library.
  Ticket bought(const Concert& c, const std::string& seat, const std::string& id, bool paid) {
    auto t = buy(*ctx_, buyer(c, seat, id));
    EXPECT_TRUE(t.ok()) << t.error().message();
    if (!t.ok() || !paid) return t.ok() ? *t : Ticket{};
    auto p = pay(*ctx_, {t->code, "DIRECT", "REF-" + id});
    EXPECT_TRUE(p.ok()) << p.error().message();
    return p.ok() ? *p : *t;
  }

  // A free seat applied for and granted through the library.
  Ticket granted(const Concert& c, const std::string& id) {
    auto a = apply_free(
        *ctx_,
        {std::to_string(c.id), {"Applicant " + id, "30", "Unspecified", id}, {"a", "b", "c"}});
    EXPECT_TRUE(a.ok()) << a.error().message();
    if (!a.ok()) return {};
    auto g = grant(*ctx_, a->code);
    EXPECT_TRUE(g.ok()) << g.error().message();
    return g.ok() ? *g : *a;
  }

  std::string last_audit_detail(const std::string& action) {
    auto d = db_->transaction<std::string>([&]() -> Result<std::string> {
      auto& stmt =
          db_->prepare("SELECT detail FROM AUDIT_LOG WHERE action = ? ORDER BY id DESC LIMIT 1");
      stmt.setString(1, action);
      ResultSetPtr rs = db_->query(stmt);
      if (!rs->next()) return std::string("(none)");
      return std::string(rs->getString(1));
    });
    EXPECT_TRUE(d.ok());
    return d.ok() ? *d : "";
  }

  Error file_error(const std::string& text) {
    const std::string path = dir_.write("bad.toml", text);
    auto r = read_seed_file(path);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return internal("");
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalid);
    return r.error();
  }

  TestEnv env_;
  TempDir dir_;
  std::unique_ptr<Context> ctx_;
  Db* db_ = nullptr;
  int files_ = 0;
};

TEST_F(Seed, CreatesConcertsFromTheFile) {
  auto r = seed_text(kTwoConcerts);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].action, SeedOutcome::Action::kCreated);
  auto big = find_concert(*ctx_, "big-one");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->layout, (Layout{10, 20, 100}));
  EXPECT_EQ(big->price, 150000);
  EXPECT_EQ(big->hold_seconds, 120);
  EXPECT_EQ(big->max_seats_per_ticket, 4);
  EXPECT_EQ(format_iso8601(*big->starts_at), "2026-07-15T20:00:00Z");
  auto small = find_concert(*ctx_, "small-one");
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->currency, "USD");
  EXPECT_EQ(small->hold_seconds, 300);
  EXPECT_EQ(small->max_seats_per_ticket, 1);
  EXPECT_EQ(small->layout.free_seats, 0);
}

TEST_F(Seed, SeedingTwiceCreatesNothingNew) {
  ASSERT_TRUE(seed_text(kTwoConcerts).ok());
  const int64_t concerts = scalar_sql(*db_, "SELECT COUNT(*) FROM CONCERTS");
  const int64_t audit = scalar_sql(*db_, "SELECT COUNT(*) FROM AUDIT_LOG");
  const int64_t max_id = scalar_sql(*db_, "SELECT MAX(id) FROM CONCERTS");
  auto again = seed_text(kTwoConcerts);
  ASSERT_TRUE(again.ok()) << again.error().message();
  for (const auto& o : *again) {
    EXPECT_EQ(o.action, SeedOutcome::Action::kUnchanged) << o.concert.slug;
    EXPECT_TRUE(o.changes.empty());
  }
  EXPECT_EQ(scalar_sql(*db_, "SELECT COUNT(*) FROM CONCERTS"), concerts);
  EXPECT_EQ(scalar_sql(*db_, "SELECT MAX(id) FROM CONCERTS"), max_id);
  EXPECT_EQ(scalar_sql(*db_, "SELECT COUNT(*) FROM AUDIT_LOG"), audit);
}

TEST_F(Seed, ChangedFieldsUpdateTheSameConcert) {
  ASSERT_TRUE(seed_text(kTwoConcerts).ok());
  const auto before = find_concert(*ctx_, "small-one");
  std::string changed = kTwoConcerts;
  changed.replace(changed.find("price = \"10\""), 12, "price = \"12.50\"");
  auto r = seed_text(changed);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ((*r)[0].action, SeedOutcome::Action::kUnchanged);
  EXPECT_EQ((*r)[1].action, SeedOutcome::Action::kUpdated);
  EXPECT_EQ((*r)[1].changes, std::vector<std::string>{"price: 10.00 -> 12.50"});
  const auto after = find_concert(*ctx_, "small-one");
  EXPECT_EQ(after->id, before->id);
  EXPECT_EQ(after->price, 1250);
}

TEST_F(Seed, RefusesToShrinkBelowAHeldSeatAndWritesNothing) {
  ASSERT_TRUE(seed_text(kTwoConcerts).ok());
  const auto big = find_concert(*ctx_, "big-one");
  const uint64_t t = insert_raw_ticket(*db_, big->id, "TB-HELDSEAT01");
  // Seat J20: row index 9, number 20.
  ASSERT_EQ(
      exec_sql(
          *db_,
          "INSERT INTO TICKET_SEATS (ticket_id, concert_id, zone, seat_row, seat_number, status) "
          "VALUES (" +
              std::to_string(t) + ", " + std::to_string(big->id) + ", 'BUY', 9, 20, 'PROCESS')"),
      0);
  std::string fewer_rows = kTwoConcerts;
  fewer_rows.replace(fewer_rows.find("rows = 10"), 9, "rows = 9");
  fewer_rows.replace(fewer_rows.find("price = \"10\""), 12, "price = \"99\"");
  auto r = seed_text(fewer_rows);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(
      r.error().message(),
      "concert 'big-one': cannot shrink the concert to 9 rows x 20 seats (A1-I20), 100 free seats: seat J20 is "
      "held or sold");
  // All or nothing: the other concert's price change was not applied either.
  EXPECT_EQ(find_concert(*ctx_, "small-one")->price, 1000);
  EXPECT_EQ(find_concert(*ctx_, "big-one")->layout.rows, 10);

  std::string fewer_seats = kTwoConcerts;
  fewer_seats.replace(fewer_seats.find("seats_per_row = 20"), 18, "seats_per_row = 19");
  auto r2 = seed_text(fewer_seats);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().kind(), ErrorKind::kConflict);

  // Growing is fine, and so is shrinking once the ticket has failed.
  std::string more = kTwoConcerts;
  more.replace(more.find("rows = 10"), 9, "rows = 12");
  EXPECT_TRUE(seed_text(more).ok());
  ASSERT_EQ(exec_sql(*db_, "UPDATE TICKET_SEATS SET status = 'FAIL' WHERE ticket_id = " +
                               std::to_string(t)),
            0);
  auto shrunk = seed_text(fewer_rows);
  ASSERT_TRUE(shrunk.ok()) << shrunk.error().message();
  EXPECT_EQ(find_concert(*ctx_, "big-one")->layout.rows, 9);
}

TEST_F(Seed, ResetDeletesTheConcertsTickets) {
  ASSERT_TRUE(seed_text(kTwoConcerts).ok());
  const auto big = find_concert(*ctx_, "big-one");
  insert_raw_ticket(*db_, big->id, "TB-RESETME001");
  auto r = seed_text(kTwoConcerts, true);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE((*r)[0].reset);
  EXPECT_EQ(scalar_sql(*db_, "SELECT COUNT(*) FROM TICKETS"), 0);
  EXPECT_EQ(find_concert(*ctx_, "big-one")->id, big->id);
  EXPECT_EQ(scalar_sql(*db_, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'concert-reset'"), 2);
  EXPECT_EQ(
      scalar_sql(*db_,
                 "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'concert-reset' AND concert_id = " +
                     std::to_string(big->id) +
                     " AND detail = 'seed --reset deleted 1 ticket (PROCESS 1)'"),
      1);
  EXPECT_EQ(last_audit_detail("concert-reset"), "seed --reset deleted no tickets");
}

TEST_F(Seed, ResetRefusesToDeletePaidOrGrantedTicketsUnlessTold) {
  ASSERT_TRUE(seed_text(kTwoConcerts).ok());
  const auto big = *find_concert(*ctx_, "big-one");
  const Ticket paid = bought(big, "A1", "PAID0001", true);
  const Ticket held = bought(big, "A2", "HELD0001", false);
  const Ticket free = granted(big, "FREE0001");
  // A paid ticket cancelled since still records money taken.
  const Ticket refunded = bought(big, "A3", "CANC0001", true);
  ASSERT_TRUE(cancel(*ctx_, refunded.code, "double booking").ok());
  const int64_t tickets = scalar_sql(*db_, "SELECT COUNT(*) FROM TICKETS");
  ASSERT_EQ(tickets, 4);

  auto refused = seed_text(kTwoConcerts, true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(refused.error().message(),
            "seed --reset would delete 2 paid and 1 granted tickets of concert 'big-one'; add "
            "--delete-sold-tickets to delete them");
  EXPECT_EQ(scalar_sql(*db_, "SELECT COUNT(*) FROM TICKETS"), tickets);
  EXPECT_EQ(scalar_sql(*db_, "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'concert-reset'"), 0);

  auto done = seed_text(kTwoConcerts, true, true);
  ASSERT_TRUE(done.ok()) << done.error().message();
  EXPECT_EQ(scalar_sql(*db_, "SELECT COUNT(*) FROM TICKETS"), 0);
  const std::string detail = last_audit_detail("concert-reset");
  // The small concert comes second in the file; the big one's row is first.
  EXPECT_EQ(
      scalar_sql(
          *db_,
          "SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'concert-reset' AND detail = "
          "'seed --reset deleted 4 tickets (FAIL 1, PROCESS 1, SUCCESS 2); 2 paid, 1 granted: " +
              paid.code + ", " + free.code + ", " + refunded.code + "'"),
      1)
      << detail;
  (void)held;
}

TEST_F(Seed, ResetAuditRowListsCodesWithinTheColumn) {
  ASSERT_TRUE(seed_text(kTwoConcerts).ok());
  const auto small = *find_concert(*ctx_, "small-one");
  for (int i = 0; i < 300; ++i) {
    char code[16];
    std::snprintf(code, sizeof code, "TB-SOLD%05d", i);
    testing::insert_raw_ticket(*db_, small.id, code);
  }
  ASSERT_EQ(exec_sql(*db_, "UPDATE TICKETS SET status = 'SUCCESS'"), 0);
  auto refused = seed_text(kTwoConcerts, true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(),
            "seed --reset would delete 300 paid and 0 granted tickets of concert 'small-one'; add "
            "--delete-sold-tickets to delete them");
  ASSERT_TRUE(seed_text(kTwoConcerts, true, true).ok());
  const std::string detail = last_audit_detail("concert-reset");
  EXPECT_LE(detail.size(), 2000u);
  EXPECT_EQ(
      detail.rfind(
          "seed --reset deleted 300 tickets (SUCCESS 300); 300 paid, 0 granted: TB-SOLD00000, "
          "TB-SOLD00001, ",
          0),
      0u)
      << detail;
  size_t listed = 0;
  for (size_t at = detail.find("TB-SOLD"); at != std::string::npos;
       at = detail.find("TB-SOLD", at + 1))
    ++listed;
  EXPECT_GT(listed, 100u);
  EXPECT_EQ(detail.substr(detail.rfind(" and ")), " and " + std::to_string(300 - listed) + " more")
      << detail;
}

TEST_F(Seed, CurrencyOfAConcertWithSalesCannotChange) {
  ASSERT_TRUE(seed_text(kTwoConcerts).ok());
  const auto big = *find_concert(*ctx_, "big-one");
  const Ticket held = bought(big, "A1", "HELD0002", false);
  std::string dollars = kTwoConcerts;
  dollars.replace(dollars.find("currency = \"EUR\""), 16, "currency = \"USD\"");
  dollars.replace(dollars.find("price = \"10\""), 12, "price = \"99\"");
  auto r = seed_text(dollars);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(r.error().message(),
            "concert 'big-one': cannot change the currency from EUR to USD: 1 ticket is held or "
            "sold in EUR");
  EXPECT_EQ(find_concert(*ctx_, "big-one")->currency, "EUR");
  EXPECT_EQ(find_concert(*ctx_, "small-one")->price, 1000);

  // Paid and then cancelled: still money taken in euros.
  ASSERT_TRUE(pay(*ctx_, {held.code, "DIRECT", "REF-HELD0002"}).ok());
  ASSERT_TRUE(cancel(*ctx_, held.code, "changed mind").ok());
  auto again = seed_text(dollars);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message(),
            "concert 'big-one': cannot change the currency from EUR to USD: 1 ticket is held or "
            "sold in EUR");

  // A concert whose only tickets failed unpaid, or a reset one, may change.
  std::string small_dollars = kTwoConcerts;
  small_dollars.replace(small_dollars.find("currency = \"usd\""), 16, "currency = \"GBP\"");
  const auto small = *find_concert(*ctx_, "small-one");
  const Ticket lapsed = bought(small, "A1", "LAPS0001", false);
  ASSERT_TRUE(cancel(*ctx_, lapsed.code, "never paid").ok());
  auto gbp = seed_text(small_dollars);
  ASSERT_TRUE(gbp.ok()) << gbp.error().message();
  EXPECT_EQ(find_concert(*ctx_, "small-one")->currency, "GBP");
  auto reset = seed_text(dollars, true, true);
  ASSERT_TRUE(reset.ok()) << reset.error().message();
  EXPECT_EQ(find_concert(*ctx_, "big-one")->currency, "USD");
}

TEST_F(Seed, NewPriceLeavesExistingTicketsAmounts) {
  ASSERT_TRUE(seed_text(kTwoConcerts).ok());
  const auto big = *find_concert(*ctx_, "big-one");
  const Ticket paid = bought(big, "A1", "PRIC0001", true);
  const Ticket held = bought(big, "A2", "PRIC0002", false);
  std::string dearer = kTwoConcerts;
  dearer.replace(dearer.find("price = \"1500.00\""), 17, "price = \"1800.00\"");
  auto r = seed_text(dearer);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ((*r)[0].changes, std::vector<std::string>{"price: 1500.00 -> 1800.00"});
  EXPECT_EQ(scalar_sql(*db_, "SELECT COUNT(*) FROM TICKETS WHERE amount = 1500.00"), 2);
  EXPECT_EQ(scalar_sql(*db_, "SELECT COUNT(*) FROM TICKETS_APPLY_BUY WHERE amount = 1500.00"), 2);
  // The held ticket is paid at the price it was bought at.
  auto p = pay(*ctx_, {held.code, "DIRECT", "REF-PRIC0002"});
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->amount, 150000);
  const Ticket later = bought(big, "A3", "PRIC0003", false);
  EXPECT_EQ(later.amount, 180000);
  (void)paid;
}

TEST_F(Seed, PriceTimesSeatsMustFitATicketsAmount) {
  std::string dear = kTwoConcerts;
  dear.replace(dear.find("price = \"1500.00\""), 17, "price = \"2500000000.00\"");
  const Error e = file_error(dear);
  EXPECT_EQ(e.message(),
            dir_.path() +
                "/bad.toml:2: concert 'big-one': price 2500000000.00 x max-seats-per-ticket 4 is "
                "10000000000.00, more than a ticket's amount can hold (9999999999.99)");
  dear.replace(dear.find("price = \"2500000000.00\""), 23, "price = \"2499999999.99\"");
  EXPECT_TRUE(seed_text(dear).ok());
}

TEST_F(Seed, StartTimeOutsideWhatMySqlStoresIsInvalid) {
  const std::string head =
      "[[concert]]\nslug = \"a\"\nname = \"A\"\nrows = 1\nseats_per_row = 1\nprice = \"1\"\n"
      "currency = \"EUR\"\nstarts_at = ";
  EXPECT_EQ(
      file_error(head + "0999-12-31T23:59:59Z\n").message(),
      dir_.path() +
          "/bad.toml:1: concert 'a': starts-at: '0999-12-31T23:59:59Z' is outside the years 1000 "
          "to 9999 (UTC) that MySQL can store");
  EXPECT_EQ(
      file_error(head + "9999-12-31T23:00:00-05:00\n").message(),
      dir_.path() +
          "/bad.toml:1: concert 'a': starts-at: '9999-12-31T23:00:00-05:00' is outside the years "
          "1000 to 9999 (UTC) that MySQL can store");
  auto early = seed_text(head + "1000-01-01T00:00:00Z\n");
  ASSERT_TRUE(early.ok()) << early.error().message();
  EXPECT_EQ(format_iso8601(*find_concert(*ctx_, "a")->starts_at), "1000-01-01T00:00:00Z");
  auto late = seed_text(head + "9999-12-31T23:59:59Z\n");
  ASSERT_TRUE(late.ok()) << late.error().message();
  EXPECT_EQ(format_iso8601(*find_concert(*ctx_, "a")->starts_at), "9999-12-31T23:59:59Z");
}

TEST_F(Seed, BadFilesNameFileLineAndField) {
  const std::string path = dir_.path() + "/bad.toml";
  EXPECT_EQ(
      file_error(
          "[[concert]]\nslug = \"a\"\nname = \"A\"\nrows = 1\nseats_per_row = 1\nprice = \"1\"\n"
          "currency = \"EUR\"\ncolour = \"red\"\n")
          .message(),
      path + ":8: unknown field 'colour'");
  EXPECT_EQ(file_error("[[concert]]\nslug = \"a\"\n").message(), path + ": missing field name");
  EXPECT_EQ(
      file_error(
          "[[concert]]\nslug = \"a\"\nname = \"A\"\nrows = 1\nseats_per_row = 1\nprice = \"1\"\n"
          "currency = \"EUR\"\nstarts_at = 2026-07-15T20:00:00\n")
          .message(),
      path + ":8: starts_at needs a time zone, such as 2026-07-15T20:00:00Z");
  EXPECT_EQ(
      file_error(
          "[[concert]]\nslug = \"a\"\nname = \"A\"\nrows = -1\nseats_per_row = 1\nprice = \"1\"\n"
          "currency = \"EUR\"\n")
          .message(),
      path + ":1: concert 'a': rows must be a whole number from 0 to 18278, got '-1'");
  const std::string dup =
      "[[concert]]\nslug = \"a\"\nname = \"A\"\nrows = 1\nseats_per_row = 1\nprice = \"1\"\n"
      "currency = \"EUR\"\n";
  EXPECT_EQ(file_error(dup + dup).message(), path + ":8: slug 'a' appears twice");
  EXPECT_EQ(file_error("[[concert]\nslug=").message().rfind(path + ":1: ", 0), 0u);
  EXPECT_EQ(file_error("").message(), path + ": no [[concert]] tables");
  EXPECT_EQ(file_error("title = \"x\"\n").message(),
            path + ":1: unknown key 'title' (a seed file holds [[concert]] tables)");
  const std::string huge_name(10 * 1024 * 1024, 'n');
  const Error e =
      file_error("[[concert]]\nslug = \"a\"\nname = \"" + huge_name +
                 "\"\nrows = 1\nseats_per_row = 1\nprice = \"1\"\ncurrency = \"EUR\"\n");
  EXPECT_LT(e.message().size(), 200u);
  EXPECT_NE(e.message().find("name must be 1 to 255 printable characters"), std::string::npos);
  auto missing = read_seed_file(dir_.path() + "/none.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(),
            "cannot read seed file " + dir_.path() + "/none.toml: No such file or directory");
}

}  // namespace
}  // namespace ticket
