// Buying paid seats (docs/design.md §5.1).
#pragma once

#include <string>
#include <vector>

#include "ticket/context.h"
#include "ticket/customer.h"
#include "ticket/tickets.h"

namespace ticket {

struct BuyRequest {
  std::string concert;             // id or slug
  std::vector<std::string> seats;  // labels, e.g. {"A12", "A13"}; or
  int best = 0;                    // n adjacent seats in one row, the first found from the front
  CustomerInput customer;
};

// Validates, holds the seats in Redis (all or none, one round trip), then
// creates the customer, a PROCESS ticket, its seats, its payment row and an
// audit row in one MySQL transaction, with the deadline by the MySQL clock.
// Any failure after the hold releases it.
//
// Errors: kInvalid (bad input), kNotFound (concert), kExpired (sales closed),
// kConflict (a seat is taken, the customer already has an active ticket for
// the concert), kUnavailable, kConfig.
Result<Ticket> buy(Context& ctx, const BuyRequest& request);

}  // namespace ticket
