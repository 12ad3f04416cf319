// Cancelling a ticket (docs/design.md §5.6): an operator's decision, for a paid
// or held ticket, a granted free seat or a pending application.
#pragma once

#include <string>
#include <string_view>

#include "ticket/context.h"
#include "ticket/tickets.h"

namespace ticket {

// Longest reason for a cancellation, in characters.
inline constexpr size_t kMaxReasonChars = 500;

struct Cancellation {
  Ticket ticket;  // now FAIL/CANCELLED
  // Empty when Redis released the seats. Otherwise why it could not: the
  // cancellation stands (MySQL decided it) and the seats stay taken in the
  // cache until `tl-admin reconcile --repair` (or, for a hold, the daemon at
  // its deadline) frees them.
  std::string cache_warning;
  // The ticket was paid: its payment is now REFUND_DUE (tl-admin refund).
  bool refund_due = false;
};

// In one MySQL transaction under the ticket's row lock: PROCESS or SUCCESS ->
// FAIL/CANCELLED for the ticket and its seats, with a 'cancelled' audit row
// whose detail is `reason`. Then the seats are released in the Redis map of
// their zone (only seats this ticket owns), so they can be bought or granted
// again at once.
//
// Errors: kInvalid (not a code; `reason` not 1 to kMaxReasonChars printable
// characters), kNotFound, kConflict (the ticket had already failed: expired,
// rejected or cancelled), kUnavailable.
Result<Cancellation> cancel(Context& ctx, std::string_view code, const std::string& reason);

}  // namespace ticket
