// The seats MySQL says are taken: every seat of an active (PROCESS or
// SUCCESS) ticket of a concert. What the seat map is rebuilt from and
// reconciled against. Internal to libticket.
#pragma once

#include <string>
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

}  // namespace ticket
