// Expiring holds (docs/design.md §5.3, §5.4): what the daemon runs at each deadline,
// and the MySQL sweep that finds what Redis lost.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ticket/concerts.h"
#include "ticket/context.h"
#include "ticket/timestamp.h"

namespace ticket {

struct ExpireReport {
  int expired = 0;             // PROCESS tickets past their deadline, now FAIL/EXPIRED
  int confirmed = 0;           // holds of tickets found paid: confirmed, not released
  int released = 0;            // holds of tickets already failed, or of buys that never committed
  int rescheduled = 0;         // not yet due by the MySQL clock: hold deadline moved
  std::vector<Millis> lag_ms;  // for each expired hold: release time - deadline
  bool more = false;           // the limit was reached; more may be due
};

// Takes up to `limit` holds of the concert whose deadline has passed and
// decides them in MySQL under their tickets' row locks, in transactions of
// up to 200: PROCESS and past the deadline -> FAIL/EXPIRED with one audit row
// each, then the seats of their holds are released (one Redis script call
// per transaction); SUCCESS -> only confirmed. Safe to run from several
// processes at once: each hold expires once. A hold whose ticket never
// reached MySQL (the buyer died between its two steps) is released
// kOrphanHoldGraceMs after its deadline.
Result<ExpireReport> expire_due(Context& ctx, const Concert& concert, int limit);

// The same, with the transactions of the batch shared among `ctx` and
// `helpers` (contexts with connections of their own), each on a thread of
// its own for the duration of the call.
Result<ExpireReport> expire_due(Context& ctx, const std::vector<Context*>& helpers,
                                const Concert& concert, int limit);

// Finds up to `limit` PROCESS tickets more than a second past their deadline
// in MySQL, whatever Redis says (it may have lost their holds), and expires
// them as expire_due does.
Result<ExpireReport> sweep_overdue(Context& ctx, int limit);

// The earliest hold deadline of the concert, if it has holds.
Result<std::optional<Millis>> next_deadline(Context& ctx, uint64_t concert_id);

// A hold without a ticket is released this long after its deadline, so that
// a buy still inside its MySQL transaction is not robbed.
inline constexpr Millis kOrphanHoldGraceMs = 2000;

}  // namespace ticket
