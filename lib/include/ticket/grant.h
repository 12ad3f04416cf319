// Granting a free seat to an application (docs/design.md §5.5).
#pragma once

#include <string_view>

#include "ticket/context.h"
#include "ticket/tickets.h"

namespace ticket {

// In one MySQL transaction: locks the application (a FREE ticket in
// PROCESS), then the concert's row, so that the grants of one concert run one
// after the other; assigns the lowest FREE-n seat that no active ticket has;
// the ticket becomes SUCCESS with the decision (who, when) and a 'granted'
// audit row. The unique index over active seats is the last line: should a
// seat be taken regardless, the transaction is tried again. After the commit
// the seat is marked granted in the Redis free bitmap.
//
// Two grants at once never give one seat twice; when the seats run out the
// later ones fail with kConflict and change nothing.
//
// Errors: kInvalid (not a ticket code), kNotFound (no such ticket),
// kConflict (a paid ticket, already granted, rejected or cancelled, no free
// seat left), kUnavailable.
Result<Ticket> grant(Context& ctx, std::string_view code);

}  // namespace ticket
