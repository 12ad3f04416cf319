// Seat labels and their place in a concert's layout.
//
// The paid zone is `rows` x `seats_per_row`: rows are lettered A..Z, AA, AB,
// ... (bijective base 26, up to three letters) and seats numbered from 1, so
// "A1" is the first seat and "AA1" the first seat of row 27. The free zone is
// numbered "FREE-1" .. "FREE-n". Labels are read case-insensitively and with
// or without leading zeros ("b07" is B7); they are always written canonically.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ticket/error.h"
#include "ticket/ticket_state.h"

namespace ticket {

struct Layout {
  int rows = 0;
  int seats_per_row = 0;
  int free_seats = 0;

  int paid_seats() const { return rows * seats_per_row; }
  int seats(Zone zone) const { return zone == Zone::kBuy ? paid_seats() : free_seats; }
  bool operator==(const Layout&) const = default;
};

struct Seat {
  Zone zone = Zone::kBuy;
  int row = 0;     // 0-based row of the paid zone; 0 in the free zone
  int number = 1;  // 1-based seat number within the row (or the free zone)
  bool operator==(const Seat&) const = default;
  auto operator<=>(const Seat&) const = default;
};

// Largest row count whose letters fit in three characters (ZZZ).
inline constexpr int kMaxRows = 26 + 26 * 26 + 26 * 26 * 26;

// 0 -> "A", 25 -> "Z", 26 -> "AA". `row` must be in [0, kMaxRows).
std::string row_letters(int row);

// "A1", "AA12", "FREE-3".
std::string seat_label(const Seat& seat);

// The labels of `seats` joined by spaces: "A1 A2 FREE-3".
std::string seat_labels(const std::vector<Seat>& seats);

// Parses a label and checks that the seat exists in `layout`. Errors are
// kInvalid: "'A0' is not a seat label (...)" or "there is no seat B99 ...".
Result<Seat> parse_seat(std::string_view label, const Layout& layout);

// The seat's bit in its zone's bitmap: row * seats_per_row + number - 1 in the
// paid zone, number - 1 in the free zone.
int seat_index(const Seat& seat, const Layout& layout);

// Inverse of seat_index; `index` must be in [0, layout.seats(zone)).
Seat seat_at(Zone zone, int index, const Layout& layout);

}  // namespace ticket
