// Seeding concerts from a TOML file, idempotent by slug (SPEC §6 `tl-admin seed`).
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

struct SeedOutcome {
  Concert concert;
  enum class Action { kCreated, kUpdated, kUnchanged } action = Action::kUnchanged;
  std::vector<std::string> changes;  // "price: 1500.00 -> 1800.00"
  bool reset = false;                // its tickets were deleted first
};

std::string_view seed_action_name(SeedOutcome::Action action);

// Creates or updates every concert of the file in one transaction: all of it
// or nothing. An existing concert is never shrunk below a seat that is held
// or sold (kConflict, naming the seat). With `reset`, the tickets of the
// file's existing concerts are deleted first and their seat maps dropped.
Result<std::vector<SeedOutcome>> seed(Context& ctx, const std::vector<Concert>& concerts, bool reset);

}  // namespace ticket
