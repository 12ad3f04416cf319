// Following the changes of a concert's seat map (seat_map.h) live.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ticket/context.h"

namespace ticket {

// Follows the concert's events channel (one JSON object per change) on a
// connection of its own: `on_ready` once subscribed, then `on_event` for each
// message until it returns false. A lost connection, or a SUBSCRIBE that
// fails, is tried again (for up to 30 s; `on_ready` is called again once
// subscribed) before its error is returned.
Status follow_seat_events(Context& ctx, uint64_t concert_id, const std::function<void()>& on_ready,
                          const std::function<bool(const std::string&)>& on_event);

// The same until `stop()` is true, which is asked at least every 500 ms
// (then ok). `on_ready` after every subscription: the messages published
// while not subscribed are lost, so a second call says that some may be.
Status follow_seat_events(Context& ctx, uint64_t concert_id, const std::function<void()>& on_ready,
                          const std::function<bool(const std::string&)>& on_event,
                          const std::function<bool()>& stop);

}  // namespace ticket
