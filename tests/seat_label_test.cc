#include "ticket/seat_label.h"

#include <gtest/gtest.h>

namespace ticket {
namespace {

const Layout kLayout{30, 20, 100};

TEST(SeatLabel, RowLettersRunAToZThenDoubleLetters) {
  EXPECT_EQ(row_letters(0), "A");
  EXPECT_EQ(row_letters(25), "Z");
  EXPECT_EQ(row_letters(26), "AA");
  EXPECT_EQ(row_letters(27), "AB");
  EXPECT_EQ(row_letters(51), "AZ");
  EXPECT_EQ(row_letters(52), "BA");
  EXPECT_EQ(row_letters(701), "ZZ");
  EXPECT_EQ(row_letters(702), "AAA");
  EXPECT_EQ(row_letters(kMaxRows - 1), "ZZZ");
}

TEST(SeatLabel, ParsesFirstSeat) {
  auto s = parse_seat("A1", kLayout);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(*s, (Seat{Zone::kBuy, 0, 1}));
  EXPECT_EQ(seat_index(*s, kLayout), 0);
  EXPECT_EQ(seat_label(*s), "A1");
}

TEST(SeatLabel, ParsesLastSeatOfRowZ) {
  auto s = parse_seat("Z20", kLayout);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (Seat{Zone::kBuy, 25, 20}));
  EXPECT_EQ(seat_index(*s, kLayout), 25 * 20 + 19);
  EXPECT_EQ(seat_label(seat_at(Zone::kBuy, 25 * 20 + 19, kLayout)), "Z20");
}

TEST(SeatLabel, ParsesDoubleLetterRows) {
  auto s = parse_seat("AA1", kLayout);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (Seat{Zone::kBuy, 26, 1}));
  EXPECT_EQ(seat_index(*s, kLayout), 26 * 20);
  EXPECT_EQ(seat_label(seat_at(Zone::kBuy, 26 * 20, kLayout)), "AA1");
}

TEST(SeatLabel, IndexRoundTripsForEverySeat) {
  for (Zone zone : {Zone::kBuy, Zone::kFree}) {
    for (int i = 0; i < kLayout.seats(zone); ++i) {
      const Seat seat = seat_at(zone, i, kLayout);
      ASSERT_EQ(seat_index(seat, kLayout), i);
      auto back = parse_seat(seat_label(seat), kLayout);
      ASSERT_TRUE(back.ok()) << seat_label(seat);
      ASSERT_EQ(*back, seat);
    }
  }
}

TEST(SeatLabel, ReadsLowerCaseAndLeadingZeros) {
  auto s = parse_seat("b07", kLayout);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(seat_label(*s), "B7");
  auto f = parse_seat("free-012", kLayout);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(seat_label(*f), "FREE-12");
}

TEST(SeatLabel, FreeZoneLabels) {
  auto s = parse_seat("FREE-1", kLayout);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (Seat{Zone::kFree, 0, 1}));
  EXPECT_EQ(seat_index(*s, kLayout), 0);
  auto last = parse_seat("FREE-100", kLayout);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(seat_index(*last, kLayout), 99);
}

TEST(SeatLabel, RejectsMalformedLabels) {
  for (const char* bad : {"",
                          "A",
                          "1",
                          "1A",
                          "A0",
                          "A-1",
                          "-1",
                          "abc",
                          "A1B",
                          " A1",
                          "A1 ",
                          "AAAA1",
                          "A 1",
                          "A1.5",
                          "FREE-",
                          "FREE-0",
                          "FREE--1",
                          "FREEx1",
                          "A\n1",
                          "Å1",
                          "A99999999999999999999",
                          "'; DROP TABLE TICKETS; --"}) {
    auto s = parse_seat(bad, kLayout);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().kind(), ErrorKind::kInvalid) << bad;
    EXPECT_EQ(s.error().message().find('\n'), std::string::npos) << bad;
  }
}

TEST(SeatLabel, RejectsSeatsOutsideTheLayout) {
  const Layout small{2, 20, 5};
  auto beyond_row = parse_seat("B99", small);
  ASSERT_FALSE(beyond_row.ok());
  EXPECT_EQ(beyond_row.error().message(), "there is no seat B99 (row B has seats 1 to 20)");
  auto no_row = parse_seat("C1", small);
  ASSERT_FALSE(no_row.ok());
  EXPECT_EQ(no_row.error().message(), "there is no seat C1 (rows run from A to B)");
  auto no_free = parse_seat("FREE-6", small);
  ASSERT_FALSE(no_free.ok());
  EXPECT_EQ(no_free.error().message(), "there is no seat FREE-6 (the free zone has 5 seats)");
  auto zero = parse_seat("A0", small);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(
      zero.error().message(),
      "'A0' is not a seat label (a seat is a row and a number such as A12 or AA3, or FREE-n in the free zone)");
}

TEST(SeatLabel, ZoneNames) {
  EXPECT_EQ(zone_name(Zone::kBuy), "BUY");
  EXPECT_EQ(zone_name(Zone::kFree), "FREE");
}

TEST(SeatLabel, LayoutCountsSeatsPerZone) {
  EXPECT_EQ(kLayout.paid_seats(), 600);
  EXPECT_EQ(kLayout.seats(Zone::kBuy), 600);
  EXPECT_EQ(kLayout.seats(Zone::kFree), 100);
  const Layout none{};
  EXPECT_EQ(none.seats(Zone::kBuy), 0);
  EXPECT_EQ(none.seats(Zone::kFree), 0);
}

TEST(SeatLabel, EveryRowLetterReadsBackAsItsRow) {
  const Layout widest{kMaxRows, 1, 0};
  for (int row = 0; row < kMaxRows; ++row) {
    const std::string label = row_letters(row) + "1";
    auto s = parse_seat(label, widest);
    ASSERT_TRUE(s.ok()) << label << ": " << s.error().message();
    ASSERT_EQ(s->row, row) << label;
    ASSERT_EQ(seat_label(*s), label);
    ASSERT_EQ(seat_index(*s, widest), row);
  }
  EXPECT_EQ(row_letters(kMaxRows - 1), "ZZZ");
}

TEST(SeatLabel, SeatsOrderByZoneThenRowThenNumber) {
  const Seat a1{Zone::kBuy, 0, 1}, a2{Zone::kBuy, 0, 2}, b1{Zone::kBuy, 1, 1},
      f1{Zone::kFree, 0, 1};
  EXPECT_LT(a1, a2);
  EXPECT_LT(a2, b1);
  EXPECT_LT(b1, f1);
  EXPECT_EQ(a1, (Seat{Zone::kBuy, 0, 1}));
  EXPECT_NE(a1, (Seat{Zone::kFree, 0, 1}));
}

TEST(SeatLabel, SeatNumbersHaveAtMostSixDigits) {
  const Layout wide{1, 999999, 999999};
  EXPECT_EQ(seat_label(*parse_seat("A999999", wide)), "A999999");
  EXPECT_EQ(seat_label(*parse_seat("FREE-999999", wide)), "FREE-999999");
  EXPECT_EQ(seat_label(*parse_seat("A0000001", wide)), "A1");
  for (const char* bad : {"A1000000", "FREE-1000000"}) {
    auto s = parse_seat(bad, wide);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().message().rfind("'" + std::string(bad) + "' is not a seat label", 0), 0u)
        << bad;
  }
}

TEST(SeatLabel, LayoutWithoutRowsOrFreeSeatsHasNoSuchSeats) {
  const Layout free_only{0, 0, 3};
  auto paid = parse_seat("A1", free_only);
  ASSERT_FALSE(paid.ok());
  EXPECT_EQ(paid.error().message(), "there is no seat A1 (rows run from A to -)");
  EXPECT_TRUE(parse_seat("FREE-3", free_only).ok());
  const Layout paid_only{2, 2, 0};
  auto no_free = parse_seat("FREE-1", paid_only);
  ASSERT_FALSE(no_free.ok());
  EXPECT_EQ(no_free.error().message(), "there is no seat FREE-1 (the free zone has 0 seats)");
}

TEST(SeatLabel, FreePrefixNeedsItsDash) {
  const Layout big{kMaxRows, 20, 100};
  for (const char* bad : {"FREE", "FREE1", "FREE 1", "FREE_1", "FREE-1A", "FREE-A"}) {
    auto s = parse_seat(bad, big);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().kind(), ErrorKind::kInvalid) << bad;
  }
  // Up to three letters are a paid row, even when they spell a word.
  auto fre = parse_seat("FRE1", big);
  ASSERT_TRUE(fre.ok());
  EXPECT_EQ(fre->zone, Zone::kBuy);
  EXPECT_EQ(seat_label(*fre), "FRE1");
}

}  // namespace
}  // namespace ticket
