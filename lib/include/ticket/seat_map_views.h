// Reading a concert's seat map (seat_map.h), each in one round trip when the
// map is warm; a missing map is rebuilt from MySQL first.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ticket/concerts.h"
#include "ticket/context.h"
#include "ticket/timestamp.h"

namespace ticket {

// A concert's seats as Redis sees them.
struct SeatCounts {
  int64_t generation = 0;
  int64_t held = 0;        // paid seats held and not yet paid
  int64_t buy_taken = 0;   // paid seats held or sold
  int64_t free_taken = 0;  // free seats granted
};

Result<SeatCounts> read_seat_counts(Context& ctx, const Concert& concert);

enum class SeatState { kFree, kHeld, kTaken };

struct SeatGrid {
  SeatCounts counts;
  std::vector<SeatState> buy;   // by paid seat index
  std::vector<SeatState> free;  // by free seat index (kTaken = granted)
};

// Every seat's state.
Result<SeatGrid> read_seat_grid(Context& ctx, const Concert& concert);

// Everything the map holds (for reconciling).
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

Result<SeatSnapshot> read_seat_snapshot(Context& ctx, const Concert& concert);

// The same with the owners of the named seats only ("b12", "f3"; none when
// empty), in the same round trip: the owners are one field per taken seat,
// most of the cost of reading a large map.
Result<SeatSnapshot> read_seat_snapshot(Context& ctx, const Concert& concert,
                                        const std::vector<std::string>& owner_fields);

}  // namespace ticket
