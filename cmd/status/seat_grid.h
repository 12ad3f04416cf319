// Drawing a concert's seats for people, and its events as lines.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ticket/concerts.h"
#include "ticket/seat_map.h"

namespace ticket::cli {

// Rows lettered down, seat numbers across: "." free, "o" held, "X" sold
// (granted, in the free zone), coloured as well when `color`.
std::string draw_seat_grid(const Concert& concert, const SeatGrid& grid, bool color);

// {"rows":["..oX", ...], "free_zone":"..X", "legend":{...}}: one string per
// row, one character per seat.
nlohmann::json seat_grid_json(const Concert& concert, const SeatGrid& grid);

// One line for an event of the concert's channel:
// "11:02:03.250  held      TB-7K3MQ9XZ  A12 A13".
std::string describe_seat_event(const std::string& message, const Concert& concert);

}  // namespace ticket::cli
