// Reconciling a concert's Redis seat map with MySQL (docs/design.md §5.7).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ticket/concerts.h"
#include "ticket/context.h"

namespace ticket {

struct ReconcileReport {
  uint64_t concert_id = 0;
  std::string slug;
  // Seats MySQL has in an active ticket that Redis shows free: a buyer
  // could hold them (the database would refuse the sale). Dangerous.
  std::vector<Seat> missing;
  // Seats Redis shows taken that no active ticket and no live hold explain:
  // nobody can buy them.
  std::vector<Seat> leaked;
  bool repaired = false;  // with repair: every seat found was fixed
  bool drift() const { return !missing.empty() || !leaked.empty(); }
};

// Compares the concert's map with MySQL: reads Redis (one round trip), then
// MySQL, then checks the seats that differ once more in Redis, so that a
// change made between the two reads is not taken for drift. A hold that
// MySQL does not know yet explains its seats until kOrphanHoldGraceMs after
// its deadline. When nothing differs it reads the bitmaps and holds, the
// active tickets' codes and three numbers per taken seat, no owner and no
// ticket per seat; the seats that differ are then read again with their
// owners and tickets (docs/design.md §5.7).
//
// With `repair`, fixes what it found in one script that changes each seat
// only if it is still as it was seen (a missing seat only if no release has
// happened since MySQL was read), and releases the dead holds; it tries again
// a few times when a live sale moved under it. Safe during a sale, from cron
// and from several daemons at once: it never frees a seat that is held or
// sold and never takes one that is free.
Result<ReconcileReport> reconcile(Context& ctx, const Concert& concert, bool repair);

}  // namespace ticket
