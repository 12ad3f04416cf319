// The seats MySQL says are taken: every seat of an active (PROCESS or
// SUCCESS) ticket of a concert. What the seat map is rebuilt from and
// reconciled against. Internal to libticket.
#pragma once

#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "db.h"
#include "ticket/concerts.h"

namespace ticket {

struct ActiveSeat {
  Zone zone = Zone::kBuy;
  int index = 0;  // the seat's bit in its zone's bitmap
  std::string code;
  bool paid_hold = false;  // a PROCESS ticket of the paid zone: a hold
  Millis deadline = 0;     // its hold_expires_at, for holds
};

// Reads them in one transaction; seats outside the concert's layout (it
// shrank) are left out.
Result<std::vector<ActiveSeat>> load_active_seats(Db& db, const Concert& concert);

// The same, of some rows only ((zone, seat_row); the free zone is row 0):
// a statement per row, or one for the whole concert when there are more
// than kRowsOneByOne.
inline constexpr size_t kRowsOneByOne = 32;
Result<std::vector<ActiveSeat>> load_active_seats(Db& db, const Concert& concert,
                                                  const std::set<std::pair<Zone, int>>& rows);

// The same seats as bitmaps in the seat map's encoding (seat_map_scripts.h),
// one bit per seat of the layout, and the codes of the concert's active
// tickets.
struct TakenSeats {
  std::string buy_bits;
  std::string free_bits;
  std::unordered_set<std::string> codes;

  explicit TakenSeats(const Layout& layout);
  void add(Zone zone, int index);
};

// The same as load_active_seats(), a row of three numbers per seat and one
// code per ticket instead of a ticket per seat: about a third of the time on
// a large concert. Two statements, each consistent in itself: the codes are
// read first (with `codes`; without, none), then the seats, so that a
// ticket committed in between has its seats read too.
Result<TakenSeats> load_taken_seats(Db& db, const Concert& concert, bool codes);

}  // namespace ticket
