// The seat map of a concert in Redis (docs/design.md §3): a cache that can always be
// rebuilt from MySQL.
//
// Keys share the hash tag {c<id>} so that every script touches one slot:
//   <prefix>:{c42}:meta       hash of the map's state:
//                               layout  the concert's layout token; a map of
//                                       another layout is treated as missing
//                               gen     generation, bumped by every change
//                                       (set from the server clock by a
//                                       rebuild, so no earlier map had it)
//                               held    paid seats held and not yet paid
//                               rel     counter of releases, bumped by every
//                                       release even one that frees nothing;
//                                       a repair marks a seat taken only if
//                                       it is unchanged since MySQL was read
//   <prefix>:{c42}:buy        bitmap, bit i = paid seat i taken (held or sold)
//   <prefix>:{c42}:free       bitmap, bit i = free seat i granted
//   <prefix>:{c42}:owner      hash: "b<i>" / "f<i>" -> ticket code owning the seat
//   <prefix>:{c42}:holds      sorted set: ticket code -> hold deadline (ms)
//   <prefix>:{c42}:holdseats  hash: ticket code -> held seat indexes "3,4,5"
//   <prefix>:{c42}:events     channel: one JSON message per change
//   <prefix>:{c42}:lock       short lock for rebuilding from MySQL
//   <prefix>:{c42}:ended      sorted set: ticket code -> when it was released
//                             (ms), kept a day, so that a confirm arriving
//                             after its ticket ended takes no seat back
//
// Every script (lib/lua/) takes all nine keys, in this order. The operations
// are in seat_map_writes.h (hold, release, confirm), seat_map_views.h
// (counts, grid, snapshot) and seat_map_events.h. A
// script that finds the map missing answers "cold"; the operations then
// rebuild it from MySQL under the lock and try again.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ticket/context.h"

namespace ticket {

// The keys of one concert's map.
struct SeatMapKeys {
  std::string meta, buy, free, owner, holds, holdseats, events, lock, ended;

  // All nine, in the order every script takes them.
  std::vector<std::string> in_script_order() const;
};

SeatMapKeys seat_map_keys(const Context& ctx, uint64_t concert_id);

// What a change is called on the events channel: of a ticket's seats, or
// of the whole map (kRepaired, kRebuilt; these carry no ticket).
namespace seat_event {
inline constexpr const char* kHeld = "held";
inline constexpr const char* kReleased = "released";
inline constexpr const char* kExpired = "expired";
inline constexpr const char* kCancelled = "cancelled";
inline constexpr const char* kSold = "sold";
inline constexpr const char* kGranted = "granted";
inline constexpr const char* kRepaired = "repaired";
inline constexpr const char* kRebuilt = "rebuilt";
}  // namespace seat_event

// Deletes the concert's keys; the next operation rebuilds them from MySQL.
Status drop_seat_map(Context& ctx, uint64_t concert_id);

// Deletes the keys of every concert under the configured prefix.
Status drop_all_seat_maps(Context& ctx);

}  // namespace ticket
