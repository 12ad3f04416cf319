// The seat map of a concert in Redis (SPEC §4): a cache that can always be
// rebuilt from MySQL.
//
// Keys share the hash tag {c<id>} so that every script touches one slot:
//   <prefix>:{c42}:meta       hash: layout, gen (bumped by every change), held
//   <prefix>:{c42}:buy        bitmap, bit i = paid seat i taken
//   <prefix>:{c42}:free       bitmap of granted free seats
//   <prefix>:{c42}:owner      hash: "b<i>" / "f<i>" -> ticket code owning the seat
//   <prefix>:{c42}:holds      sorted set: ticket code -> hold deadline (ms)
//   <prefix>:{c42}:holdseats  hash: ticket code -> held seat indexes "3,4,5"
//   <prefix>:{c42}:lock       short lock for rebuilding from MySQL
//   <prefix>:{c42}:events     channel: one JSON message per change
//
// Holding, releasing and confirming are each one Lua script (lib/lua/), one
// round trip. A script that finds the map missing answers "cold"; the
// operations here then rebuild it from MySQL under the lock and try again.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ticket/concerts.h"
#include "ticket/context.h"
#include "ticket/timestamp.h"

namespace ticket {

// Holds `seats` (paid-zone indexes) for ticket `code` until `deadline`, all
// or none. kConflict names the taken seats ("seat A12 is already taken").
Result<std::vector<int>> hold_seats(Context& ctx, const Concert& concert, const std::string& code, Millis deadline,
                                    const std::vector<int>& seats);

// Holds the first `n` adjacent free seats of one row, scanning from the
// front row. kConflict when no row has them.
Result<std::vector<int>> hold_best(Context& ctx, const Concert& concert, const std::string& code, Millis deadline,
                                   int n);

// What a change of a ticket's seats is called on the events channel.
namespace seat_event {
inline constexpr const char* kReleased = "released";
inline constexpr const char* kExpired = "expired";
inline constexpr const char* kCancelled = "cancelled";
inline constexpr const char* kSold = "sold";
inline constexpr const char* kGranted = "granted";
}  // namespace seat_event

// Frees the seats that ticket `code` owns and forgets its hold. With `seats`
// empty, the seats of its hold. Never frees a seat another ticket owns. A
// missing map needs nothing: its rebuild reads MySQL.
Status release_seats(Context& ctx, uint64_t concert_id, Zone zone, const std::string& code,
                     const std::vector<int>& seats, const char* event);

// Several releases of one concert in one round trip.
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

// Replaces the concert's map with what MySQL holds, under the rebuild lock.
// Holds that MySQL does not know yet (a buy between its two steps) are kept.
Status rebuild_seat_map(Context& ctx, const Concert& concert);

// A concert's seats as Redis sees them.
struct SeatCounts {
  int64_t generation = 0;
  int64_t held = 0;        // paid seats held and not yet paid
  int64_t buy_taken = 0;   // paid seats held or sold
  int64_t free_taken = 0;  // free seats granted
};

// Counts from the map, rebuilding it first when it is missing. One round
// trip when the map is warm.
Result<SeatCounts> read_seat_counts(Context& ctx, const Concert& concert);

enum class SeatState { kFree, kHeld, kTaken };

struct SeatGrid {
  SeatCounts counts;
  std::vector<SeatState> buy;   // by paid seat index
  std::vector<SeatState> free;  // by free seat index (kTaken = granted)
};

// Every seat's state, in one round trip when the map is warm.
Result<SeatGrid> read_seat_grid(Context& ctx, const Concert& concert);

// Everything the map holds, read in one round trip (for reconciling).
struct SeatSnapshot {
  int64_t generation = 0;
  std::string releases;  // counter of releases ("rel"), checked by repairs
  std::string buy_bits;  // raw bitmaps, bit 0 = the most significant bit of byte 0
  std::string free_bits;
  std::map<std::string, std::vector<int>> hold_seats;  // ticket code -> held paid seats
  std::map<std::string, std::string> owners;           // "b12" / "f3" -> ticket code
  std::map<std::string, Millis> hold_deadlines;        // ticket code -> deadline

  bool taken(Zone zone, int index) const;
};

// Rebuilds the map first when it is missing.
Result<SeatSnapshot> read_seat_snapshot(Context& ctx, const Concert& concert);

// Follows the concert's events channel (one JSON object per change) on a
// connection of its own: `on_ready` once subscribed, then `on_event` for each
// message until it returns false. A lost connection is re-opened (for up to
// 30 s; `on_ready` is called again) before kUnavailable is returned.
Status follow_seat_events(Context& ctx, uint64_t concert_id, const std::function<void()>& on_ready,
                          const std::function<bool(const std::string&)>& on_event);

// Deletes the concert's keys; the next operation rebuilds them from MySQL.
Status drop_seat_map(Context& ctx, uint64_t concert_id);

// Deletes the keys of every concert under the configured prefix.
Status drop_all_seat_maps(Context& ctx);

// Redis keys of a concert, in the order the scripts take them.
std::vector<std::string> seat_map_keys(const Context& ctx, uint64_t concert_id,
                                       std::initializer_list<const char*> suffixes);

}  // namespace ticket
