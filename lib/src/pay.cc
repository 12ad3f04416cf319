#include "ticket/pay.h"

#include <cppconn/exception.h>

#include "audit_sql.h"
#include "redis.h"
#include "ticket/audit.h"
#include "ticket/failpoint.h"
#include "ticket/seat_map_writes.h"
#include "ticket/text.h"
#include "tickets_sql.h"

namespace ticket {
namespace {

constexpr const char* kRecordPayment =
    "UPDATE TICKETS_APPLY_BUY SET platform = ?, reference = ?, paid_at = NOW(3) WHERE ticket_id = ?";
constexpr const char* kSucceedTicket =
    "UPDATE TICKETS SET status = 'SUCCESS', updated_at = NOW(3) WHERE id = ? AND status = 'PROCESS'";
constexpr const char* kSucceedSeats =
    "UPDATE TICKET_SEATS SET status = 'SUCCESS' WHERE ticket_id = ?";
constexpr const char* kPaidAt =
    "SELECT CAST(UNIX_TIMESTAMP(paid_at) * 1000 AS SIGNED) FROM TICKETS_APPLY_BUY "
    "WHERE ticket_id = ?";

enum class Outcome { kPaid, kAlreadyPaid, kExpiredNow };

Status check_reference(const std::string& ref) {
  bool ok = !ref.empty() && ref.size() <= 128;
  for (char c : ref) {
    ok = ok && ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                c == '-' || c == '_' || c == '.' || c == ':' || c == '/');
  }
  if (!ok)
    return invalid("--reference must be 1 to 128 letters, digits or - _ . : /, got " + quote(ref));
  return {};
}

// "QRCODE", "DIRECT" or "PAYPLAT" from any case; kInvalid otherwise.
Result<std::string> parse_platform(std::string_view text) {
  const std::string p = to_upper(text);
  if (p == "QRCODE" || p == "DIRECT" || p == "PAYPLAT") return p;
  return invalid("--platform must be QRCODE, DIRECT or PAYPLAT, got " + quote(text));
}

}  // namespace

Result<Ticket> pay(Context& ctx, const PayRequest& req) {
  TL_ASSIGN_OR_RETURN(std::string code, parse_ticket_code(req.code));
  TL_ASSIGN_OR_RETURN(std::string platform, parse_platform(req.platform));
  TL_TRY(check_reference(req.reference));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());

  Ticket t;
  TL_ASSIGN_OR_RETURN(Outcome outcome, db->transaction<Outcome>([&]() -> Result<Outcome> {
    TL_ASSIGN_OR_RETURN(std::optional<Ticket> locked, lock_ticket(*db, code));
    if (!locked) return not_found("no ticket " + code);
    t = std::move(*locked);
    if (t.zone != Zone::kBuy)
      return invalid("ticket " + code + " is a free ticket; there is nothing to pay");
    if (t.status == TicketStatus::kSuccess) {
      if (t.platform == platform && t.reference == req.reference) return Outcome::kAlreadyPaid;
      return conflict("ticket " + code + " is already paid with another reference");
    }
    if (t.status == TicketStatus::kFail) {
      if (t.reason == FailReason::kExpired)
        return expired("the hold of ticket " + code + " ran out at " +
                       format_iso8601(t.hold_expires_at.value_or(0)) + "; its seats were released");
      return conflict("ticket " + code + " was " + to_lower(reason_name(t.reason)) +
                      "; it cannot be paid");
    }
    if (t.past_deadline) {
      fail_ticket(*db, ctx.actor(), t, FailReason::kExpired, action::kExpired,
                  "payment came after the deadline");
      return Outcome::kExpiredNow;
    }
    auto& rec = db->prepare(kRecordPayment);
    rec.setString(1, platform);
    rec.setString(2, req.reference);
    rec.setUInt64(3, t.id);
    try {
      rec.execute();
    } catch (const sql::SQLException& e) {
      if (is_duplicate_key(e, "uq_payment_reference"))
        return conflict("payment reference " + req.reference + " on " + platform +
                        " is already used by another ticket");
      throw;
    }
    auto& ok = db->prepare(kSucceedTicket);
    ok.setUInt64(1, t.id);
    ok.execute();
    auto& seats = db->prepare(kSucceedSeats);
    seats.setUInt64(1, t.id);
    seats.execute();
    record_audit(*db, ctx.actor(),
                 {action::kPaid, t.concert_id, t.id, t.code, platform + " " + req.reference});
    auto& at = db->prepare(kPaidAt);
    at.setUInt64(1, t.id);
    ResultSetPtr rs = db->query(at);
    if (rs->next()) t.paid_at = rs->getInt64(1);
    return Outcome::kPaid;
  }));

  if (outcome == Outcome::kExpiredNow) {
    // Committed as expired: free the seats now rather than at the daemon's
    // next pass. Only seats this ticket owns are freed.
    (void)release_seats(ctx, t.concert_id, Zone::kBuy, t.code, t.seat_indexes,
                        seat_event::kExpired);
    return expired("the hold of ticket " + code + " ran out at " +
                   format_iso8601(t.hold_expires_at.value_or(0)) + "; its seats were released");
  }
  if (outcome == Outcome::kPaid) {
    failpoint("pay-after-commit");
    // The sale is decided. Should Redis miss this, the seats stay taken by
    // the hold until the daemon finds the ticket SUCCESS and confirms it.
    (void)confirm_seats(ctx, t.concert_id, Zone::kBuy, t.code, t.seat_indexes, seat_event::kSold);
  }
  t.status = TicketStatus::kSuccess;
  t.platform = platform;
  t.reference = req.reference;
  return t;
}

}  // namespace ticket
