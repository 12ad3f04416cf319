// AUDIT_LOG: one row per state change, written in the transaction that makes
// the change (docs/design.md §7.11).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ticket/context.h"
#include "ticket/timestamp.h"

namespace ticket {

// Actions of tickets (docs/design.md §4) and of administration.
namespace action {
inline constexpr const char* kHeld = "held";
inline constexpr const char* kExpired = "expired";
inline constexpr const char* kPaid = "paid";
inline constexpr const char* kApplied = "applied";
inline constexpr const char* kGranted = "granted";
inline constexpr const char* kRejected = "rejected";
inline constexpr const char* kCancelled = "cancelled";
inline constexpr const char* kCheckedIn = "checked_in";
inline constexpr const char* kCheckinRefused = "checkin_refused";
inline constexpr const char* kCheckinConflict = "checkin_conflict";
inline constexpr const char* kRevived = "revived";
inline constexpr const char* kRefundDue = "refund_due";
inline constexpr const char* kPaymentReview = "payment_review";
inline constexpr const char* kRefunded = "refunded";
inline constexpr const char* kConcertCreated = "concert-created";
inline constexpr const char* kConcertUpdated = "concert-updated";
inline constexpr const char* kConcertClosed = "concert-closed";
inline constexpr const char* kConcertOpened = "concert-opened";
inline constexpr const char* kConcertReset = "concert-reset";
inline constexpr const char* kRepaired = "repaired";
inline constexpr const char* kDatabaseReset = "database-reset";
}  // namespace action

struct AuditEvent {
  std::string action;
  std::optional<uint64_t> concert_id;
  std::optional<uint64_t> ticket_id;
  std::string ticket_code;
  std::string detail;
};

struct AuditEntry {
  uint64_t id = 0;
  Millis at = 0;
  std::string actor;
  std::string action;
  std::optional<uint64_t> concert_id;
  std::string ticket_code;
  std::string detail;
};

struct AuditQuery {
  std::optional<std::string> ticket_code;
  std::optional<uint64_t> concert_id;
  int limit = 100;
};

// Newest last. kNotFound when a ticket code is given and nothing matches.
Result<std::vector<AuditEntry>> list_audit(Context& ctx, const AuditQuery& query);

}  // namespace ticket
