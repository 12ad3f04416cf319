// Times as milliseconds since the epoch: ISO 8601 as people write it, the
// DATETIME(3) text of MySQL, and the years a DATETIME can hold.
#include "ticket/timestamp.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

namespace ticket {
namespace {

TEST(Timestamp, ParsesIso8601WithZone) {
  EXPECT_EQ(*parse_iso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_iso8601("2026-07-15T20:00:00Z"), 1784145600000);
  EXPECT_EQ(*parse_iso8601("2026-07-15T22:00:00+02:00"), 1784145600000);
  EXPECT_EQ(*parse_iso8601("2026-07-15T20:00:00.250Z"), 1784145600250);
  EXPECT_EQ(*parse_iso8601("2026-07-15T20:00Z"), 1784145600000);
  EXPECT_EQ(format_iso8601(1784145600000), "2026-07-15T20:00:00Z");
  EXPECT_EQ(format_iso8601(1784145600250), "2026-07-15T20:00:00.250Z");
  EXPECT_EQ(to_sql_datetime(1784145600250), "2026-07-15 20:00:00.250");
  EXPECT_EQ(*from_sql_datetime("2026-07-15 20:00:00.250"), 1784145600250);
  EXPECT_EQ(*from_sql_datetime("2026-07-15 20:00:00"), 1784145600000);
  for (const char* bad : {"2026-07-15T20:00:00", "2026-02-30T00:00:00Z", "2026-07-15", "tomorrow",
                          "2026-07-15T25:00:00Z", "2026-07-15T20:00:00+2"}) {
    EXPECT_FALSE(parse_iso8601(bad).ok()) << bad;
  }
}

TEST(Timestamp, ReadsOffsetsBothWaysAndLowerCase) {
  const Millis at = 1784145600000;  // 2026-07-15T20:00:00Z
  EXPECT_EQ(*parse_iso8601("2026-07-15T15:00:00-05:00"), at);
  EXPECT_EQ(*parse_iso8601("2026-07-16T01:30:00+05:30"), at);
  EXPECT_EQ(*parse_iso8601("2026-07-15T20:00:00+00:00"), at);
  EXPECT_EQ(*parse_iso8601("2026-07-15T20:00:00-00:00"), at);
  EXPECT_EQ(*parse_iso8601("2026-07-16T19:59:00+23:59"), at);
  EXPECT_EQ(*parse_iso8601("2026-07-15t20:00:00z"), at);
  EXPECT_EQ(*parse_iso8601("2026-07-15 20:00:00Z"), at);
  EXPECT_EQ(*parse_iso8601("2026-07-16T00:00:00+04:00"), at);  // across midnight
  EXPECT_EQ(*parse_iso8601("2027-01-01T00:00:00+01:00"), *parse_iso8601("2026-12-31T23:00:00Z"));
}

TEST(Timestamp, FractionsAreCutToMilliseconds) {
  const Millis at = 1784145600000;
  EXPECT_EQ(*parse_iso8601("2026-07-15T20:00:00.5Z"), at + 500);
  EXPECT_EQ(*parse_iso8601("2026-07-15T20:00:00.05Z"), at + 50);
  EXPECT_EQ(*parse_iso8601("2026-07-15T20:00:00.000Z"), at);
  EXPECT_EQ(*parse_iso8601("2026-07-15T20:00:00.999Z"), at + 999);
  EXPECT_EQ(*parse_iso8601("2026-07-15T20:00:00.123456789Z"), at + 123);
  EXPECT_FALSE(parse_iso8601("2026-07-15T20:00:00.1234567890Z").ok());
  EXPECT_FALSE(parse_iso8601("2026-07-15T20:00:00.Z").ok());
  EXPECT_FALSE(parse_iso8601("2026-07-15T20:00.5Z").ok());
}

TEST(Timestamp, LeapYearsFollowTheGregorianRules) {
  EXPECT_TRUE(parse_iso8601("2024-02-29T00:00:00Z").ok());
  EXPECT_TRUE(parse_iso8601("2000-02-29T00:00:00Z").ok());
  EXPECT_FALSE(parse_iso8601("2023-02-29T00:00:00Z").ok());
  EXPECT_FALSE(parse_iso8601("1900-02-29T00:00:00Z").ok());
  EXPECT_FALSE(parse_iso8601("2100-02-29T00:00:00Z").ok());
  EXPECT_EQ(*parse_iso8601("2024-03-01T00:00:00Z") - *parse_iso8601("2024-02-28T00:00:00Z"),
            2 * 86400000);
  EXPECT_EQ(*parse_iso8601("2023-03-01T00:00:00Z") - *parse_iso8601("2023-02-28T00:00:00Z"),
            86400000);
  EXPECT_EQ(format_iso8601(*parse_iso8601("2024-02-29T12:34:56Z")), "2024-02-29T12:34:56Z");
}

TEST(Timestamp, BoundsAreTheYearsMysqlStores) {
  EXPECT_EQ(*parse_iso8601("1000-01-01T00:00:00Z"), kMinStorableMillis);
  EXPECT_EQ(*parse_iso8601("9999-12-31T23:59:59.999Z"), kMaxStorableMillis);
  EXPECT_EQ(*parse_iso8601("1000-01-01T01:00:00+01:00"), kMinStorableMillis);
  EXPECT_EQ(format_iso8601(kMinStorableMillis), "1000-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(kMaxStorableMillis), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(to_sql_datetime(kMinStorableMillis), "1000-01-01 00:00:00.000");
  EXPECT_EQ(to_sql_datetime(kMaxStorableMillis), "9999-12-31 23:59:59.999");
  for (const char* outside : {"0999-12-31T23:59:59.999Z", "1000-01-01T00:30:00+01:00",
                              "9999-12-31T23:59:59-00:01", "0000-01-01T00:00:00Z"}) {
    auto r = parse_iso8601(outside);
    ASSERT_FALSE(r.ok()) << outside;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalid);
    EXPECT_EQ(r.error().message(),
              "'" + std::string(outside) +
                  "' is outside the years 1000 to 9999 (UTC) that MySQL can store");
  }
}

TEST(Timestamp, RefusesMalformedTimesWithOneLine) {
  for (const char* bad : {"",
                          "2026",
                          "2026-07-15T20",
                          "2026-07-15T20:00",
                          "20260715T200000Z",
                          "2026-7-15T20:00:00Z",
                          "2026-07-5T20:00:00Z",
                          "2026-07-15T2:00:00Z",
                          "2026-07-15X20:00:00Z",
                          "2026-07-15T20:00:00ZZ",
                          "2026-07-15T20:00:00Z ",
                          " 2026-07-15T20:00:00Z",
                          "2026-07-15T20:00:00+0200",
                          "2026-07-15T20:00:00+02",
                          "2026-07-15T20:00:00+24:00",
                          "2026-07-15T20:00:00+02:60",
                          "2026-07-15T20:00:00 +02:00",
                          "2026-07-15T20:00:00UTC",
                          "2026-00-15T20:00:00Z",
                          "2026-13-15T20:00:00Z",
                          "2026-07-00T20:00:00Z",
                          "2026-04-31T20:00:00Z",
                          "2026-07-15T24:00:00Z",
                          "2026-07-15T20:60:00Z",
                          "2026-07-15T20:00:60Z",
                          "-2026-07-15T20:00:00Z",
                          "+2026-07-15T20:00:00Z",
                          "2026-07-15T20:00:00\nZ",
                          "1784145600000",
                          "now"}) {
    auto r = parse_iso8601(bad);
    ASSERT_FALSE(r.ok()) << "'" << bad << "' read as " << *r;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalid) << bad;
    EXPECT_EQ(r.error().message().find('\n'), std::string::npos) << bad;
  }
  EXPECT_EQ(
      parse_iso8601("tomorrow").error().message(),
      "'tomorrow' is not a date and time such as 2026-12-31T20:00:00Z (a time zone is required)");
}

TEST(Timestamp, FormatsBeforeTheEpochAndWithoutEmptyMilliseconds) {
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(1), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_iso8601(-1000), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_iso8601(-1001), "1969-12-31T23:59:58.999Z");
  EXPECT_EQ(to_sql_datetime(0), "1970-01-01 00:00:00.000");
  EXPECT_EQ(to_sql_datetime(-1), "1969-12-31 23:59:59.999");
}

TEST(Timestamp, FormatThenParseGivesTheSameMillis) {
  // Spread over the whole storable range, with every millisecond digit.
  uint64_t x = 88172645463325252u;
  const auto span = static_cast<uint64_t>(kMaxStorableMillis - kMinStorableMillis) + 1;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const Millis ms = kMinStorableMillis + static_cast<Millis>(x % span);
    const std::string iso = format_iso8601(ms);
    auto back = parse_iso8601(iso);
    ASSERT_TRUE(back.ok()) << ms << " " << iso << ": " << back.error().message();
    ASSERT_EQ(*back, ms) << iso;
    const std::string sql = to_sql_datetime(ms);
    auto from_sql = from_sql_datetime(sql);
    ASSERT_TRUE(from_sql.ok()) << sql;
    ASSERT_EQ(*from_sql, ms) << sql;
  }
  for (Millis ms : {kMinStorableMillis, Millis{-1}, Millis{0}, Millis{1}, kMaxStorableMillis}) {
    EXPECT_EQ(*parse_iso8601(format_iso8601(ms)), ms);
    EXPECT_EQ(*from_sql_datetime(to_sql_datetime(ms)), ms);
  }
}

TEST(Timestamp, UnreadableSqlTimeIsAnInternalError) {
  for (const char* bad : {"", "0000-00-00 00:00:00", "2026-07-15", "2026-07-15 20:00:00Z",
                          "2026-07-15 20:00:00.250 ", "garbage"}) {
    auto r = from_sql_datetime(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInternal) << bad;
  }
  EXPECT_EQ(from_sql_datetime("garbage").error().message(),
            "MySQL returned an unreadable time 'garbage'");
}

TEST(Timestamp, WallClockIsTheSystemClockInMilliseconds) {
  using namespace std::chrono;
  const auto before = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const Millis now = wall_clock_ms();
  const auto after = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
}

}  // namespace
}  // namespace ticket
