// The seat map of a concert in Redis (SPEC §4): a cache that can always be
// rebuilt from MySQL.
//
// Keys share the hash tag {c<id>} so that every script touches one slot:
//   <prefix>:{c42}:meta       hash: layout, generation (bumped by every change)
//   <prefix>:{c42}:buy        bitmap, bit i = paid seat i taken
//   <prefix>:{c42}:free       bitmap of granted free seats
//   <prefix>:{c42}:owner      hash: "b<i>" / "f<i>" -> ticket code owning the seat
//   <prefix>:{c42}:holds      sorted set: ticket code -> hold deadline (ms)
//   <prefix>:{c42}:holdseats  hash: ticket code -> held seat indexes "3,4,5"
//   <prefix>:{c42}:lock       short lock for rebuilding from MySQL
//   <prefix>:{c42}:events     channel: one JSON message per change
#pragma once

#include <cstdint>

#include "ticket/context.h"

namespace ticket {

// Deletes the concert's keys; the next operation rebuilds them from MySQL.
Status drop_seat_map(Context& ctx, uint64_t concert_id);

// Deletes the keys of every concert under the configured prefix.
Status drop_all_seat_maps(Context& ctx);

}  // namespace ticket
