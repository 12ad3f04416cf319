#include "ticket/seat_label.h"

#include <cassert>

#include "ticket/text.h"

namespace ticket {
namespace {

constexpr std::string_view kFreePrefix = "FREE-";
constexpr std::string_view kLabelHelp =
    "a seat is a row and a number such as A12 or AA3, or FREE-n in the free zone";

bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
int letter_value(char c) { return (c >= 'a' ? c - 'a' : c - 'A') + 1; }

Error bad_label(std::string_view label) {
  return invalid(quote(label) + " is not a seat label (" + std::string(kLabelHelp) + ")");
}

}  // namespace

std::string row_letters(int row) {
  assert(row >= 0 && row < kMaxRows);
  std::string out;
  int n = row + 1;
  while (n > 0) {
    --n;
    out.insert(out.begin(), static_cast<char>('A' + n % 26));
    n /= 26;
  }
  return out;
}

std::string seat_label(const Seat& seat) {
  if (seat.zone == Zone::kFree) return std::string(kFreePrefix) + std::to_string(seat.number);
  return row_letters(seat.row) + std::to_string(seat.number);
}

Result<Seat> parse_seat(std::string_view label, const Layout& layout) {
  if (label.size() > kFreePrefix.size() &&
      to_upper(label.substr(0, kFreePrefix.size())) == kFreePrefix) {
    const auto number = parse_int(label.substr(kFreePrefix.size()), 0, 999999);
    if (!number || *number == 0) return bad_label(label);
    if (*number > layout.free_seats) {
      return invalid("there is no seat FREE-" + std::to_string(*number) + " (the free zone has " +
                     std::to_string(layout.free_seats) + " seats)");
    }
    return Seat{Zone::kFree, 0, static_cast<int>(*number)};
  }

  size_t letters = 0;
  while (letters < label.size() && is_letter(label[letters])) ++letters;
  if (letters == 0 || letters > 3 || letters == label.size()) return bad_label(label);
  for (size_t i = letters; i < label.size(); ++i) {
    if (!is_digit(label[i])) return bad_label(label);
  }
  const auto number = parse_int(label.substr(letters), 0, 999999);
  if (!number || *number == 0) return bad_label(label);

  int row = 0;
  for (size_t i = 0; i < letters; ++i) row = row * 26 + letter_value(label[i]);
  row -= 1;

  const std::string canonical = row_letters(row) + std::to_string(*number);
  if (row >= layout.rows) {
    return invalid("there is no seat " + canonical + " (rows run from A to " +
                   (layout.rows > 0 ? row_letters(layout.rows - 1) : std::string("-")) + ")");
  }
  if (*number > layout.seats_per_row) {
    return invalid("there is no seat " + canonical + " (row " + row_letters(row) +
                   " has seats 1 to " + std::to_string(layout.seats_per_row) + ")");
  }
  return Seat{Zone::kBuy, row, static_cast<int>(*number)};
}

int seat_index(const Seat& seat, const Layout& layout) {
  if (seat.zone == Zone::kFree) return seat.number - 1;
  return seat.row * layout.seats_per_row + seat.number - 1;
}

Seat seat_at(Zone zone, int index, const Layout& layout) {
  if (zone == Zone::kFree) return Seat{Zone::kFree, 0, index + 1};
  return Seat{Zone::kBuy, index / layout.seats_per_row, index % layout.seats_per_row + 1};
}

std::string seat_labels(const std::vector<Seat>& seats) {
  std::string out;
  for (const Seat& seat : seats) out += (out.empty() ? "" : " ") + seat_label(seat);
  return out;
}

}  // namespace ticket
