#include "ticket/pay.h"

#include <cppconn/exception.h>

#include <algorithm>
#include <vector>

#include "redis.h"
#include "ticket/audit.h"
#include "ticket/failpoint.h"
#include "ticket/seat_map_writes.h"
#include "ticket/text.h"
#include "ticket_rows.h"
#include "tickets_sql.h"

namespace ticket {
namespace {

// The MySQL step of a payment in one round trip: lock the ticket, pay it if
// its hold still runs, and read it back with its seats
// (lib/sql/004_buy_pay_procedures.sql).
constexpr const char* kCallPay = "CALL tl_pay(?, ?, ?, ?)";

// Column of tl_pay's answer after the ticket's: 1 when the call paid it,
// then the seat.
constexpr int kPaidColumn = ticket_rows::kColumns + 1;

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
    auto& call = db->prepare(kCallPay);
    call.setString(1, code);
    call.setString(2, platform);
    call.setString(3, req.reference);
    call.setString(4, ctx.actor());
    std::optional<ticket_rows::TicketRow> row;
    std::vector<Seat> seats;
    Status read;
    bool paid = false;
    try {
      db->call(call, [&](sql::ResultSet& rs) {
        if (!read.ok()) return;
        if (!row) {
          auto first = ticket_rows::read_ticket(rs);
          if (!first.ok()) {
            read = std::move(first).error();
            return;
          }
          row = std::move(*first);
          paid = rs.getInt(kPaidColumn) == 1;
        }
        if (rs.isNull(kPaidColumn + 1)) return;
        auto seat = ticket_rows::read_seat(rs, kPaidColumn + 1);
        if (!seat.ok()) {
          read = std::move(seat).error();
          return;
        }
        seats.push_back(*seat);
      });
    } catch (const sql::SQLException& e) {
      if (is_duplicate_key(e, "uq_payment_reference"))
        return conflict("payment reference " + req.reference + " on " + platform +
                        " is already used by another ticket");
      throw;
    }
    TL_TRY(read);
    if (!row) return not_found("no ticket " + code);
    std::sort(seats.begin(), seats.end());
    for (const Seat& seat : seats) ticket_rows::add_seat(row->ticket, seat, row->layout);
    t = std::move(row->ticket);
    if (paid) return Outcome::kPaid;
    // Not paid by the call: the row stays locked for what follows.
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
    if (!t.past_deadline)
      return internal("tl_pay left ticket " + code + " unpaid while its hold still runs");
    fail_ticket(*db, ctx.actor(), t, FailReason::kExpired, action::kExpired,
                "payment came after the deadline");
    return Outcome::kExpiredNow;
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
