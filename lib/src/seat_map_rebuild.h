// Rebuilding a concert's seat map (ticket/seat_map.h) from MySQL when a
// script finds it cold (docs/design.md §3.4, §5.8). Internal to libticket:
// the operations rebuild a cold map themselves.
#pragma once

#include <functional>

#include "redis.h"
#include "ticket/concerts.h"
#include "ticket/context.h"

namespace ticket {

// Runs `call` (one script) on a warm map: when it answers "cold", replaces
// the map with what MySQL holds under the rebuild lock (keeping holds that
// MySQL does not know yet: a buy between its two steps), or waits for
// another process's rebuild, and calls again; kUnavailable after 15 s.
Result<RedisReply> on_warm_map(Context& ctx, const Concert& concert,
                               const std::function<Result<RedisReply>()>& call);

}  // namespace ticket
