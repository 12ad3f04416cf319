#include "ticket/seed.h"

#include <gtest/gtest.h>

#include "support/servers.h"
#include "support/sql.h"
#include "ticket/audit.h"

namespace ticket {
namespace {

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

  Result<std::vector<SeedOutcome>> seed_text(const std::string& text, bool reset = false) {
    const std::string path = dir_.write("seed-" + std::to_string(++files_) + ".toml", text);
    auto concerts = read_seed_file(path);
    if (!concerts.ok()) return std::move(concerts).error();
    return seed(*ctx_, *concerts, reset);
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
  ASSERT_EQ(exec_sql(*db_, "INSERT INTO TICKET_SEATS (ticket_id, concert_id, zone, seat_row, seat_number, status) "
                           "VALUES (" + std::to_string(t) + ", " + std::to_string(big->id) +
                               ", 'BUY', 9, 20, 'PROCESS')"),
            0);
  std::string fewer_rows = kTwoConcerts;
  fewer_rows.replace(fewer_rows.find("rows = 10"), 9, "rows = 9");
  fewer_rows.replace(fewer_rows.find("price = \"10\""), 12, "price = \"99\"");
  auto r = seed_text(fewer_rows);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(r.error().message(),
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
  ASSERT_EQ(exec_sql(*db_, "UPDATE TICKET_SEATS SET status = 'FAIL' WHERE ticket_id = " + std::to_string(t)), 0);
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
}

TEST_F(Seed, BadFilesNameFileLineAndField) {
  const std::string path = dir_.path() + "/bad.toml";
  EXPECT_EQ(file_error("[[concert]]\nslug = \"a\"\nname = \"A\"\nrows = 1\nseats_per_row = 1\nprice = \"1\"\n"
                       "currency = \"EUR\"\ncolour = \"red\"\n")
                .message(),
            path + ":8: unknown field 'colour'");
  EXPECT_EQ(file_error("[[concert]]\nslug = \"a\"\n").message(), path + ": missing field name");
  EXPECT_EQ(file_error("[[concert]]\nslug = \"a\"\nname = \"A\"\nrows = 1\nseats_per_row = 1\nprice = \"1\"\n"
                       "currency = \"EUR\"\nstarts_at = 2026-07-15T20:00:00\n")
                .message(),
            path + ":8: starts_at needs a time zone, such as 2026-07-15T20:00:00Z");
  EXPECT_EQ(file_error("[[concert]]\nslug = \"a\"\nname = \"A\"\nrows = -1\nseats_per_row = 1\nprice = \"1\"\n"
                       "currency = \"EUR\"\n")
                .message(),
            path + ":1: concert 'a': rows must be a whole number from 0 to 18278, got '-1'");
  const std::string dup = "[[concert]]\nslug = \"a\"\nname = \"A\"\nrows = 1\nseats_per_row = 1\nprice = \"1\"\n"
                          "currency = \"EUR\"\n";
  EXPECT_EQ(file_error(dup + dup).message(), path + ":8: slug 'a' appears twice");
  EXPECT_EQ(file_error("[[concert]\nslug=").message().rfind(path + ":1: ", 0), 0u);
  EXPECT_EQ(file_error("").message(), path + ": no [[concert]] tables");
  EXPECT_EQ(file_error("title = \"x\"\n").message(),
            path + ":1: unknown key 'title' (a seed file holds [[concert]] tables)");
  const std::string huge_name(10 * 1024 * 1024, 'n');
  const Error e = file_error("[[concert]]\nslug = \"a\"\nname = \"" + huge_name +
                             "\"\nrows = 1\nseats_per_row = 1\nprice = \"1\"\ncurrency = \"EUR\"\n");
  EXPECT_LT(e.message().size(), 200u);
  EXPECT_NE(e.message().find("name must be 1 to 255 printable characters"), std::string::npos);
  auto missing = read_seed_file(dir_.path() + "/none.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(), "cannot read seed file " + dir_.path() + "/none.toml: No such file or directory");
}

}  // namespace
}  // namespace ticket
