// Amounts as whole cents: what people type, what we print, and the bounds of
// a DECIMAL(12,2) column.
#include "ticket/money.h"

#include <gtest/gtest.h>

namespace ticket {
namespace {

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

TEST(Money, RefusesWhatADecimalColumnNeverHolds) {
  for (const char* bad : {"-1.00", "-0.01", "+1.00", " 1.00", "1.00 ", "1.000", "NaN", "0x10"}) {
    const auto parsed = parse_money(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().kind(), ErrorKind::kInvalid) << bad;
  }
  EXPECT_EQ(*parse_money("9999999999.99"), kMaxCents);
}

TEST(Money, ReadsZeroLeadingZerosAndOneDecimal) {
  EXPECT_EQ(*parse_money("0"), 0);
  EXPECT_EQ(*parse_money("0.0"), 0);
  EXPECT_EQ(*parse_money("0.00"), 0);
  EXPECT_EQ(*parse_money("0.01"), 1);
  EXPECT_EQ(*parse_money("0.10"), 10);
  EXPECT_EQ(*parse_money("0.1"), 10);
  EXPECT_EQ(*parse_money("12.3"), 1230);
  EXPECT_EQ(*parse_money("007"), 700);
  EXPECT_EQ(*parse_money("0000000012.30"), 1230);
}

TEST(Money, LargestAmountIsWhatTheColumnHolds) {
  EXPECT_EQ(*parse_money("9999999999.99"), kMaxCents);
  EXPECT_EQ(*parse_money("9999999999"), kMaxCents - 99);
  EXPECT_EQ(format_money(kMaxCents), "9999999999.99");
  for (const char* too_big :
       {"10000000000", "10000000000.00", "99999999999.99", "99999999999999999999"}) {
    EXPECT_FALSE(parse_money(too_big).ok()) << too_big;
  }
}

TEST(Money, FormatsEveryCentWithTwoDecimals) {
  EXPECT_EQ(format_money(0), "0.00");
  EXPECT_EQ(format_money(1), "0.01");
  EXPECT_EQ(format_money(10), "0.10");
  EXPECT_EQ(format_money(99), "0.99");
  EXPECT_EQ(format_money(100), "1.00");
  EXPECT_EQ(format_money(123456), "1234.56");
}

TEST(Money, FormatThenParseGivesTheSameCents) {
  for (Cents c : {Cents{0}, Cents{1}, Cents{9}, Cents{10}, Cents{99}, Cents{100}, Cents{101},
                  Cents{150000}, Cents{123456789}, kMaxCents - 1, kMaxCents}) {
    auto back = parse_money(format_money(c));
    ASSERT_TRUE(back.ok()) << c << ": " << back.error().message();
    EXPECT_EQ(*back, c);
  }
  for (Cents c = 0; c < 100000; c += 7) ASSERT_EQ(*parse_money(format_money(c)), c) << c;
}

TEST(Money, RefusesMalformedAmountsWithOneLine) {
  for (const char* bad : {"+1", "-0", " 1",    "1 ",   "1\n",  "\t1",      "1.2.3", "1..2",
                          ".",  "..", "1.-2",  "1.+2", "0x10", "1_000",    "1'000", "1 000",
                          "€1", "1€", "1.5e2", "inf",  "NaN",  "\xd9\xa1", "1.2 ",  "1.\n2"}) {
    auto r = parse_money(bad);
    ASSERT_FALSE(r.ok()) << "'" << bad << "' read as " << *r;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalid) << bad;
    EXPECT_EQ(r.error().message().find('\n'), std::string::npos) << bad;
  }
  EXPECT_EQ(parse_money("abc").error().message(),
            "'abc' is not an amount such as 1500.00 (digits, at most two decimals)");
  EXPECT_EQ(parse_money("1.234").error().message(),
            "'1.234' is not an amount such as 1500.00 (digits, at most two decimals)");
  const std::string huge(1 << 20, '9');
  auto r = parse_money(huge);
  ASSERT_FALSE(r.ok());
  EXPECT_LT(r.error().message().size(), 150u);
}

TEST(Money, CurrencyIsThreeLettersReturnedUpperCase) {
  EXPECT_EQ(*parse_currency("EUR"), "EUR");
  EXPECT_EQ(*parse_currency("usd"), "USD");
  EXPECT_EQ(*parse_currency("gBp"), "GBP");
  for (const char* bad :
       {"", "E", "EU", "EURO", "E1R", "E R", " EUR", "EUR ", "E-R", "\xe2\x82\xac", "ÉUR"}) {
    auto r = parse_currency(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalid) << bad;
  }
  EXPECT_EQ(parse_currency("EURO").error().message(),
            "'EURO' is not a currency code such as EUR or USD");
}

}  // namespace
}  // namespace ticket
