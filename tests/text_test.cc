#include <gtest/gtest.h>

#include "ticket/money.h"
#include "ticket/text.h"
#include "ticket/timestamp.h"

namespace ticket {
namespace {

TEST(Text, QuotedEscapesControlCharactersAndCutsLongInput) {
  EXPECT_EQ(quote("abc"), "'abc'");
  EXPECT_EQ(quote("a\nb\x01"), "'a\\x0Ab\\x01'");
  EXPECT_EQ(quote("it's"), "'it\\'s'");
  const std::string huge(10 * 1024 * 1024, 'x');
  const std::string q = quote(huge);
  EXPECT_LT(q.size(), 80u);
  EXPECT_NE(q.find("(10485760 bytes)"), std::string::npos);
  EXPECT_EQ(quote("\xff\xfe"), "'\\xFF\\xFE'");
}

TEST(Text, PrintableUtf8) {
  EXPECT_TRUE(is_printable_utf8("Zoë Müller-Łukasz 李"));
  EXPECT_FALSE(is_printable_utf8("tab\there"));
  EXPECT_FALSE(is_printable_utf8(std::string("a\0b", 3)));
  EXPECT_FALSE(is_printable_utf8("\x7f"));
  EXPECT_FALSE(is_printable_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(is_printable_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(is_printable_utf8("\xc2\x85"));      // C1 control (NEL)
  EXPECT_EQ(utf8_length("Zoë"), 3u);
}

TEST(Text, ParseIntTakesDigitsOnly) {
  EXPECT_EQ(parse_int("42", 0, 100), 42);
  EXPECT_EQ(parse_int("0", 0, 100), 0);
  EXPECT_FALSE(parse_int("-1", 0, 100));
  EXPECT_FALSE(parse_int("+1", 0, 100));
  EXPECT_FALSE(parse_int("1e3", 0, 10000));
  EXPECT_FALSE(parse_int(" 1", 0, 100));
  EXPECT_FALSE(parse_int("", 0, 100));
  EXPECT_FALSE(parse_int("101", 0, 100));
  EXPECT_FALSE(parse_int("12345678901234567890", 0, INT64_MAX));
}

TEST(Money, ParsesAndFormatsTwoDecimals) {
  EXPECT_EQ(*parse_money("1500.00"), 150000);
  EXPECT_EQ(*parse_money("1500"), 150000);
  EXPECT_EQ(*parse_money("0.5"), 50);
  EXPECT_EQ(*parse_money("0.05"), 5);
  EXPECT_EQ(format_money(150000), "1500.00");
  EXPECT_EQ(format_money(5), "0.05");
  for (const char* bad : {"", "-1", "1.234", "1.", ".5", "abc", "1,50", "12345678901", "1e3"}) {
    EXPECT_FALSE(parse_money(bad).ok()) << bad;
  }
  EXPECT_EQ(*parse_currency("eur"), "EUR");
  EXPECT_FALSE(parse_currency("EURO").ok());
  EXPECT_FALSE(parse_currency("E1R").ok());
}

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

}  // namespace
}  // namespace ticket
