// Seeding concerts from a TOML file, idempotent by slug (`tl-admin seed`).
//
//   [[concert]]
//   slug = "summer-2026"
//   name = "Summer Night"
//   starts_at = 2026-07-15T20:00:00Z
//   rows = 10
//   seats_per_row = 20
//   free_seats = 100
//   price = "1500.00"
//   currency = "EUR"
#pragma once

#include <string>
#include <vector>

#include "ticket/concerts.h"
#include "ticket/context.h"

namespace ticket {

// Reads and checks a seed file without touching any server. Errors are
// kInvalid and name the file, the line and the field.
Result<std::vector<Concert>> read_seed_file(const std::string& path);

struct SeedOptions {
  // Delete the tickets of the file's existing concerts first and drop their
  // seat maps.
  bool reset = false;
  // With reset, also delete paid and granted tickets; without it a reset
  // that would delete any is refused.
  bool delete_sold_tickets = false;
};

struct SeedOutcome {
  Concert concert;
  enum class Action { kCreated, kUpdated, kUnchanged } action = Action::kUnchanged;
  std::vector<std::string> changes;  // "price: 1500.00 -> 1800.00"
  bool reset = false;                // its tickets were deleted first
};

std::string_view seed_action_name(SeedOutcome::Action action);

// Creates or updates every concert of the file in one transaction: all of it
// or nothing. Refused with kConflict, naming the concert:
//   - shrinking an existing concert below a seat that is held or sold;
//   - changing the currency of a concert with sales (a BUY ticket that is
//     held, paid, or was ever paid), since amounts are kept as sold;
//   - a reset that would delete paid or granted tickets, unless
//     delete_sold_tickets (saying how many of each, and of which concert).
// A reset's audit row lists what it deleted: counts by status and the codes
// of the paid and granted tickets. A new price applies to new tickets only.
Result<std::vector<SeedOutcome>> seed(Context& ctx, const std::vector<Concert>& concerts,
                                      const SeedOptions& options);

}  // namespace ticket
