// Rejecting free-seat applications (docs/design.md §5.5).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ticket/concerts.h"
#include "ticket/context.h"
#include "ticket/tickets.h"

namespace ticket {

// Longest note on a decision, in characters.
inline constexpr size_t kMaxNoteChars = 500;

// In one transaction: the application (a FREE ticket in PROCESS) becomes
// FAIL/REJECTED with the decision (who, when, the note) and a 'rejected'
// audit row whose detail is the note. An application has no seat, so nothing
// changes in Redis.
//
// Errors: kInvalid (not a code, a bad note), kNotFound, kConflict (a paid
// ticket, or an application already granted, rejected or cancelled).
Result<Ticket> reject(Context& ctx, std::string_view code, const std::optional<std::string>& note);

struct RejectedApplications {
  Concert concert;
  std::vector<std::string> codes;  // in the order they were made
};

// Rejects every application of the concert in PROCESS when it starts, in one
// transaction, each as reject() does under its row lock: one granted
// meanwhile stays granted. Errors: kInvalid, kNotFound (concert).
Result<RejectedApplications> reject_pending(Context& ctx, std::string_view concert,
                                            const std::optional<std::string>& note);

}  // namespace ticket
