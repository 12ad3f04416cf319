// Rebuilding a concert's seat map (ticket/seat_map.h) from MySQL. Internal to
// libticket: the operations rebuild a cold map themselves.
#pragma once

#include "ticket/concerts.h"
#include "ticket/context.h"

namespace ticket {

// Replaces the concert's map with what MySQL holds, under the rebuild lock
// (waiting up to 15 s for another process's rebuild to end). Holds that
// MySQL does not know yet (a buy between its two steps) are kept.
Status rebuild_seat_map(Context& ctx, const Concert& concert);

}  // namespace ticket
