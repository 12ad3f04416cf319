// Applying for a free seat (docs/design.md §5.5): an application is a FREE ticket
// in PROCESS with no seat, and the applicant's answers to three questions,
// until an operator grants it a seat (grant.h) or rejects it (reject.h).
#pragma once

#include <string>

#include "ticket/context.h"
#include "ticket/customer.h"
#include "ticket/tickets.h"

namespace ticket {

// The answers to the three questions of an application.
struct Answers {
  std::string q1;
  std::string q2;
  std::string q3;
};

// Longest answer, in characters.
inline constexpr size_t kMaxAnswerChars = 2000;

struct ApplyFreeRequest {
  std::string concert;  // id or slug
  CustomerInput customer;
  Answers answers;
};

// Validates, then in one MySQL transaction creates or updates the customer
// and creates a FREE ticket in PROCESS (no seat, no deadline), its answers
// and an 'applied' audit row. Redis is not involved: free seats are assigned
// by grant(), in MySQL.
//
// Errors: kInvalid (bad input, a concert without free seats), kNotFound
// (concert), kExpired (the concert is closed), kConflict (the customer already
// has an active application or ticket for the concert), kUnavailable, kConfig.
Result<Ticket> apply_free(Context& ctx, const ApplyFreeRequest& request);

}  // namespace ticket
