// Expiring holds (SPEC §5 "Expire"): what the daemon runs at each deadline.
#pragma once

#include <cstdint>
#include <vector>

#include "ticket/context.h"
#include "ticket/timestamp.h"

namespace ticket {

struct ExpireReport {
  int expired = 0;      // PROCESS tickets past their deadline, now FAIL/EXPIRED
  int confirmed = 0;    // holds of tickets found paid: confirmed, not released
  int released = 0;     // holds of tickets already failed, or of buys that never committed
  int rescheduled = 0;  // not yet due by the MySQL clock: hold deadline moved
  std::vector<Millis> lag_ms;  // for each expired hold, release time - deadline
};

// Takes up to `limit` holds of the concert whose deadline has passed and
// decides each in MySQL under the ticket's row lock: PROCESS and past the
// deadline -> FAIL/EXPIRED (one audit row), then the seats are released;
// SUCCESS -> only confirmed. Safe to run from several processes at once:
// each hold expires once. A hold whose ticket never reached MySQL (the buyer
// died between its two steps) is released a grace period after its deadline.
Result<ExpireReport> expire_due(Context& ctx, uint64_t concert_id, int limit);

// The earliest hold deadline of the concert, if it has holds.
Result<std::optional<Millis>> next_deadline(Context& ctx, uint64_t concert_id);

// A hold without a ticket is released this long after its deadline, so that
// a buy still inside its MySQL transaction is not robbed.
inline constexpr Millis kOrphanHoldGraceMs = 2000;

}  // namespace ticket
