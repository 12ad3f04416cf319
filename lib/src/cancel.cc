#include "ticket/cancel.h"

#include "audit_sql.h"
#include "redis.h"
#include "ticket/audit.h"
#include "ticket/seat_map_writes.h"
#include "ticket/text.h"
#include "tickets_sql.h"

namespace ticket {
namespace {

// Written only by the operator's account: an account that may merely expire
// tickets (the seller's, the daemon's) is refused here, before anything
// changed (etc/sql/grants.sql).
constexpr const char* kRecordReason = "UPDATE TICKETS SET cancel_reason = ? WHERE id = ?";
// The money of a paid ticket cancelled is due back (docs/design.md §12).
constexpr const char* kRefundDue =
    "UPDATE PAYMENTS SET state = 'REFUND_DUE', note = ?, updated_at = NOW(3) "
    "WHERE ticket_id = ? AND state = 'PAID'";

Status check_reason(const std::string& reason) {
  if (reason.empty() || utf8_length(reason) > kMaxReasonChars || !is_printable_utf8(reason))
    return invalid("--reason must be 1 to " + std::to_string(kMaxReasonChars) +
                   " printable characters, got " + quote(reason));
  return {};
}

}  // namespace

Result<Cancellation> cancel(Context& ctx, std::string_view text, const std::string& reason) {
  TL_ASSIGN_OR_RETURN(std::string code, parse_ticket_code(text));
  TL_TRY(check_reason(reason));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());

  Cancellation out;
  Ticket& t = out.ticket;
  TL_TRY(db->transaction([&]() -> Status {
    TL_ASSIGN_OR_RETURN(std::optional<Ticket> locked, lock_ticket(*db, code));
    if (!locked) return not_found("no ticket " + code);
    t = std::move(*locked);
    if (t.status == TicketStatus::kFail)
      return conflict("ticket " + code + " was already " + to_lower(reason_name(t.reason)));
    auto& record = db->prepare(kRecordReason);
    record.setString(1, reason);
    record.setUInt64(2, t.id);
    record.execute();
    fail_ticket(*db, ctx.actor(), t, FailReason::kCancelled, action::kCancelled, reason);
    auto& due = db->prepare(kRefundDue);
    due.setString(1, clip_utf8("ticket cancelled: " + reason, 500));
    due.setUInt64(2, t.id);
    if (due.executeUpdate() > 0) {
      out.refund_due = true;
      record_audit(*db, ctx.actor(),
                   {action::kRefundDue, t.concert_id, t.id, t.code,
                    t.platform + " " + t.reference + " " + format_money(t.amount) + " " +
                        t.currency + ": ticket cancelled"});
    }
    t.status = TicketStatus::kFail;
    t.reason = FailReason::kCancelled;
    return {};
  }));

  // MySQL first, then Redis: a seat is never free in the cache while an
  // active ticket still has it in the database. A pending application has no
  // seat and nothing to release.
  if (!t.seat_indexes.empty()) {
    auto released =
        release_seats(ctx, t.concert_id, t.zone, t.code, t.seat_indexes, seat_event::kCancelled);
    if (!released.ok()) out.cache_warning = released.error().message();
  }
  return out;
}

}  // namespace ticket
