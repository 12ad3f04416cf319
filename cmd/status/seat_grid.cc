#include "status/seat_grid.h"

#include <cstdio>

#include "ticket/text.h"

namespace ticket::cli {
namespace {

constexpr int kFreeZoneWidth = 50;

char symbol(SeatState s) { return s == SeatState::kFree ? '.' : s == SeatState::kHeld ? 'o' : 'X'; }

const char* colour(SeatState s) {
  return s == SeatState::kFree ? "\033[32m" : s == SeatState::kHeld ? "\033[33m" : "\033[31m";
}

// One character per seat, runs of one state sharing one colour code.
std::string cells(const std::vector<SeatState>& states, size_t from, size_t n, bool color) {
  std::string out;
  for (size_t i = from; i < from + n && i < states.size(); ++i) {
    if (color && (i == from || states[i] != states[i - 1])) out += colour(states[i]);
    out += symbol(states[i]);
  }
  if (color && n > 0) out += "\033[0m";
  return out;
}

std::string number_ruler(int seats, size_t indent) {
  std::string tens(indent, ' '), ones(indent, ' ');
  for (int n = 1; n <= seats; ++n) {
    tens += n % 10 == 0 ? static_cast<char>('0' + (n / 10) % 10) : ' ';
    ones += static_cast<char>('0' + n % 10);
  }
  while (!tens.empty() && tens.back() == ' ') tens.pop_back();
  return (tens.size() > indent ? tens + "\n" : "") + ones + "\n";
}

}  // namespace

std::string draw_seat_grid(const Concert& concert, const SeatGrid& grid, bool color) {
  const Layout& l = concert.layout;
  std::string out;
  if (l.paid_seats() > 0) {
    const size_t label_width = row_letters(l.rows - 1).size() + 2;
    out += number_ruler(l.seats_per_row, label_width);
    for (int r = 0; r < l.rows; ++r) {
      std::string label = row_letters(r);
      label.resize(label_width, ' ');
      out += label +
             cells(grid.buy, static_cast<size_t>(r * l.seats_per_row),
                   static_cast<size_t>(l.seats_per_row), color) +
             "\n";
    }
  }
  if (l.free_seats > 0) {
    out += "\nFree zone\n";
    const std::string last = "FREE-" + std::to_string(l.free_seats);
    for (int first = 0; first < l.free_seats; first += kFreeZoneWidth) {
      std::string label = "FREE-" + std::to_string(first + 1);
      label.resize(last.size() + 2, ' ');
      out += label + cells(grid.free, static_cast<size_t>(first), kFreeZoneWidth, color) + "\n";
    }
  }
  out += "\n. free   o held   X sold or granted\n";
  return out;
}

nlohmann::json seat_grid_json(const Concert& concert, const SeatGrid& grid) {
  const Layout& l = concert.layout;
  nlohmann::json rows = nlohmann::json::object();
  for (int r = 0; r < l.rows; ++r)
    rows[row_letters(r)] = cells(grid.buy, static_cast<size_t>(r * l.seats_per_row),
                                 static_cast<size_t>(l.seats_per_row), false);
  return {{"rows", rows},
          {"free_zone", cells(grid.free, 0, grid.free.size(), false)},
          {"legend", {{".", "free"}, {"o", "held"}, {"X", "sold or granted"}}}};
}

}  // namespace ticket::cli
