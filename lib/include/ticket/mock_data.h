// Demo data (`tl-admin mock-data`): customers with realistic names
// who buy, pay, hold, apply for free seats and get granted or rejected,
// through the same operations the tools call, so the data obeys every rule
// of a real sale (audit rows, Redis seat map, unique indexes).
#pragma once

#include <cstdint>
#include <string>

#include "ticket/context.h"

namespace ticket {

inline constexpr int kMaxMockCustomers = 10000;

struct MockRequest {
  std::string concert;    // id or slug
  std::string customers;  // 1 to kMaxMockCustomers, as typed
  uint64_t seed = 0;      // for the random choices; 0 = from the system
};

// What the customers ended up with.
struct MockReport {
  uint64_t concert_id = 0;
  int customers = 0;
  int paid = 0;      // bought and paid
  int held = 0;      // bought, not yet paid (their holds run out as usual)
  int granted = 0;   // applied and got a free seat
  int rejected = 0;  // applied and were rejected
  int pending = 0;   // applied, not yet decided
  int skipped = 0;   // found nothing left to buy or apply for
};

// About half of the customers buy 1 to max_seats_per_ticket seats (the best
// ones left), and two in three of them pay; the others apply for a free
// seat, and of those about half are granted, one in five rejected and the
// rest left pending. A customer who finds the paid seats sold out applies
// instead; one who finds no free seats either is skipped. Security numbers
// are random, so a second run adds new customers.
//
// Errors: kInvalid (customers), kNotFound (concert), kExpired (closed), and
// any error of buy, pay, apply_free, grant or reject other than a conflict.
Result<MockReport> mock_data(Context& ctx, const MockRequest& request);

}  // namespace ticket
