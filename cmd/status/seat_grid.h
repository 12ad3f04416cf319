// Drawing a concert's seats for people.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ticket/concerts.h"
#include "ticket/seat_map_views.h"

namespace ticket::cli {

// Rows lettered down, seat numbers across: "." free, "o" held, "X" sold
// (granted, in the free zone), coloured as well when `color`.
std::string draw_seat_grid(const Concert& concert, const SeatGrid& grid, bool color);

// {"rows":["..oX", ...], "free_zone":"..X", "legend":{...}}: one string per
// row, one character per seat.
nlohmann::json seat_grid_json(const Concert& concert, const SeatGrid& grid);

}  // namespace ticket::cli
