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
  for (const char* bad : {"", "A", "1", "1A", "A0", "A-1", "-1", "abc", "A1B", " A1", "A1 ", "AAAA1", "A 1",
                          "A1.5", "FREE-", "FREE-0", "FREE--1", "FREEx1", "A\n1", "Å1", "A99999999999999999999",
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
  EXPECT_EQ(zero.error().message(),
            "'A0' is not a seat label (a seat is a row and a number such as A12 or AA3, or FREE-n in the free zone)");
}

}  // namespace
}  // namespace ticket
