// Changes to a concert's seat map (seat_map.h): holding, releasing and
// confirming seats, each one Lua script and one round trip.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ticket/concerts.h"
#include "ticket/context.h"
#include "ticket/seat_map.h"
#include "ticket/timestamp.h"

namespace ticket {

// Holds `seats` (paid-zone indexes) for ticket `code` until `deadline`, all
// or none. kConflict names the taken seats ("seat A12 is already taken").
Result<std::vector<int>> hold_seats(Context& ctx, const Concert& concert, const std::string& code,
                                    Millis deadline, const std::vector<int>& seats);

// Holds the first `n` adjacent free seats of one row, scanning from the
// front row. kConflict when no row has them.
Result<std::vector<int>> hold_best(Context& ctx, const Concert& concert, const std::string& code,
                                   Millis deadline, int n);

// Frees the seats that ticket `code` owns and forgets its hold. With `seats`
// empty, the seats of its hold. Never frees a seat another ticket owns. A
// missing map needs nothing: its rebuild reads MySQL. The seats it freed.
Result<std::vector<int>> release_seats(Context& ctx, uint64_t concert_id, Zone zone,
                                       const std::string& code, const std::vector<int>& seats,
                                       const char* event);

// Several releases of one concert in one round trip (one script call):
// each as release_seats makes it, with its own event.
struct SeatRelease {
  Zone zone = Zone::kBuy;
  std::string code;
  std::vector<int> seats;  // empty: the seats of its hold
  const char* event = seat_event::kReleased;
};
Status release_many(Context& ctx, uint64_t concert_id, const std::vector<SeatRelease>& releases);

// Marks `seats` as owned for good by `code` and forgets its hold.
Status confirm_seats(Context& ctx, uint64_t concert_id, Zone zone, const std::string& code,
                     const std::vector<int>& seats, const char* event);

// Marks the seats of ticket `code`, revived by a late payment that MySQL
// has committed, as sold to it, and forgets that it had ended. When
// `was_released` (MySQL had expired it), waits until that expiry's release
// has run in Redis (up to `wait_ms`), so that a release arriving late
// cannot free the seats afterwards; kConflict if it never came.
Status revive_seats(Context& ctx, uint64_t concert_id, const std::string& code,
                    const std::vector<int>& seats, bool was_released, Millis wait_ms);

}  // namespace ticket
