// Admission at the gate (`tl-admin checkin`, docs/design.md §10): a pass
// verified with the public keys, then its ticket admitted once in MySQL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ticket/context.h"
#include "ticket/passes.h"
#include "ticket/timestamp.h"

namespace ticket {

struct Checkin {
  enum class Result {
    kAdmitted,  // admitted now
    kAlready,   // admitted before: `at` and `gate` are that admission's
    kRevoked,   // the ticket is no longer SUCCESS (cancelled after issue)
  };
  Result result = Result::kAdmitted;
  PassContent pass;
  Millis at = 0;     // of the admission, for kAdmitted and kAlready
  std::string gate;  // likewise
};

// "admitted", "already", "revoked".
const char* checkin_result_name(Checkin::Result result);

// Whether `gate` may name a gate: 1 to 64 printable characters.
Status check_gate_name(const std::string& gate);

// Verifies `token` with [passes] verify_keys_file and admits its ticket at
// `gate` once: one CHECKINS row per ticket, with the `checked_in` audit
// row, under the ticket's row lock. Errors: kInvalid for a pass that does
// not verify (or a bad gate name), kConflict for a pass of another concert
// than `concert` (an id or slug) when given, kNotFound for a ticket MySQL
// does not have.
Result<Checkin> check_in(Context& ctx, std::string_view token, const std::string& gate,
                         const std::optional<std::string>& concert);

}  // namespace ticket
