// What is left of a concert (`tl-status --concert`).
#pragma once

#include <cstdint>
#include <string_view>

#include "ticket/concerts.h"
#include "ticket/context.h"
#include "ticket/seat_map_views.h"

namespace ticket {

struct Availability {
  Concert concert;
  int64_t buy_total = 0;
  int64_t buy_free = 0;
  int64_t buy_held = 0;
  int64_t buy_sold = 0;
  int64_t free_total = 0;
  int64_t free_granted = 0;
  int64_t free_pending = 0;  // applications not yet decided (MySQL)
  SeatGrid grid;             // every seat, when asked for
};

// Seat counts from the Redis map (one round trip; rebuilt from MySQL when
// missing) and pending applications from MySQL. With `grid`, every seat's
// state too.
Result<Availability> availability(Context& ctx, std::string_view concert, bool grid);

}  // namespace ticket
