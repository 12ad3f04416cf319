#include "ticket/payments.h"

#include <cppconn/exception.h>
#include <cppconn/resultset.h>

#include <algorithm>

#include "audit_sql.h"
#include "db.h"
#include "redis.h"
#include "ticket/audit.h"
#include "ticket/concerts.h"
#include "ticket/failpoint.h"
#include "ticket/seat_map_writes.h"
#include "ticket/text.h"
#include "ticket_rows.h"
#include "tickets_sql.h"

namespace ticket {
namespace {

// The MySQL step of a payment in one round trip: lock the ticket, pay it if
// its hold still runs, and read it back with its seats
// (lib/sql/007_payments.sql).
constexpr const char* kCallPay = "CALL tl_pay(?, ?, ?, ?)";
// Column of tl_pay's answer after the ticket's: 1 when the call paid it,
// then the seat.
constexpr int kPaidColumn = ticket_rows::kColumns + 1;

constexpr const char* kInsertEvent =
    "INSERT INTO PAYMENT_EVENTS (provider, event_id, type, result, received_at) "
    "VALUES (?, ?, ?, 'pending', NOW(3))";
constexpr const char* kEventResult =
    "UPDATE PAYMENT_EVENTS SET result = ?, payment_id = ? WHERE provider = ? AND event_id = ?";
constexpr const char* kInsertPayment =
    "INSERT INTO PAYMENTS (ticket_id, ticket_code, concert_id, state, amount, currency, platform, "
    "provider, reference, note, received_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(3), NOW(3))";
constexpr const char* kPaymentOf =
    "SELECT id, state, ticket_id, ticket_code, concert_id FROM PAYMENTS "
    "WHERE platform = ? AND reference = ? FOR UPDATE";
constexpr const char* kReviveTicket =
    "UPDATE TICKETS SET status = 'SUCCESS', reason = NULL, updated_at = NOW(3), paid_at = NOW(3) "
    "WHERE id = ?";
constexpr const char* kReviveSeats =
    "UPDATE TICKET_SEATS SET status = 'SUCCESS' WHERE ticket_id = ?";
// After kReviveTicket: the payment row takes the ticket's paid_at.
constexpr const char* kRecordPaid =
    "UPDATE TICKETS_APPLY_BUY p JOIN TICKETS t ON t.id = p.ticket_id "
    "SET p.platform = ?, p.reference = ?, p.paid_at = t.paid_at WHERE p.ticket_id = ?";
// A payment with its ticket's status, for a refund.
constexpr const char* kRefundOf =
    "SELECT p.id, p.state, p.ticket_id, p.ticket_code, p.concert_id, t.status FROM PAYMENTS p "
    "LEFT JOIN TICKETS t ON t.id = p.ticket_id WHERE p.platform = ? AND p.reference = ? "
    "FOR UPDATE";
constexpr const char* kSetProvider =
    "UPDATE PAYMENTS SET provider = ? WHERE platform = ? AND reference = ?";
constexpr const char* kSetState =
    "UPDATE PAYMENTS SET state = ?, note = ?, refund_reference = COALESCE(?, refund_reference), "
    "updated_at = NOW(3) WHERE id = ?";

// How long a revival waits for the Redis release of its ticket's expiry,
// which follows that expiry's commit within milliseconds unless its process
// died in between.
constexpr Millis kReleaseWaitMs = 2000;

enum class Step { kPaid, kAlreadyPaid, kRevive, kRefundDue, kReview, kDuplicate, kKnown };

// Inside a transaction. False when the provider's event is there already.
bool take_event(Db& db, const PaymentReceipt& r, const char* type) {
  auto& stmt = db.prepare(kInsertEvent);
  stmt.setString(1, r.provider);
  stmt.setString(2, r.event_id);
  stmt.setString(3, type);
  try {
    stmt.execute();
  } catch (const sql::SQLException& e) {
    if (is_duplicate_key(e, "PRIMARY")) return false;
    throw;
  }
  return true;
}

void event_result(Db& db, const PaymentReceipt& r, const char* result, uint64_t payment) {
  if (r.event_id.empty()) return;
  auto& stmt = db.prepare(kEventResult);
  stmt.setString(1, result);
  if (payment == 0)
    stmt.setNull(2, 0);
  else
    stmt.setUInt64(2, payment);
  stmt.setString(3, r.provider);
  stmt.setString(4, r.event_id);
  stmt.execute();
}

// A payment already recorded under the receipt's platform and reference,
// locked.
struct KnownPayment {
  uint64_t id = 0;
  PaymentState state = PaymentState::kPaid;
  std::string code;
};
Result<std::optional<KnownPayment>> known_payment(Db& db, const PaymentReceipt& r) {
  auto& stmt = db.prepare(kPaymentOf);
  stmt.setString(1, r.platform);
  stmt.setString(2, r.reference);
  ResultSetPtr rs = db.query(stmt);
  if (!rs->next()) return std::optional<KnownPayment>();
  KnownPayment k;
  k.id = rs->getUInt64(1);
  TL_ASSIGN_OR_RETURN(k.state, parse_payment_state(std::string(rs->getString(2))));
  k.code = rs->getString(4);
  return std::optional<KnownPayment>(std::move(k));
}

// Records money received in `state`; the payment's id. `t` is null when no
// ticket has the code. The same payment (platform and reference) arriving
// again is the row recorded the first time; a reference recorded for
// another ticket is kConflict.
Result<uint64_t> record_payment(Db& db, const std::string& actor, const Ticket* t,
                                const PaymentReceipt& r, PaymentState state,
                                const std::string& note) {
  TL_ASSIGN_OR_RETURN(std::optional<KnownPayment> known, known_payment(db, r));
  if (known) {
    if (known->code == (t ? t->code : r.code)) return known->id;
    return conflict("payment reference " + r.reference + " on " + r.platform +
                    " is already recorded for " + quote(known->code));
  }
  auto& stmt = db.prepare(kInsertPayment);
  if (t) {
    stmt.setUInt64(1, t->id);
    stmt.setUInt64(3, t->concert_id);
  } else {
    stmt.setNull(1, 0);
    stmt.setNull(3, 0);
  }
  stmt.setString(2, t ? t->code : r.code);
  stmt.setString(4, payment_state_name(state));
  stmt.setString(5, format_money(r.amount.value_or(t ? t->amount : 0)));
  stmt.setString(6, r.currency.empty() ? (t ? t->currency : std::string("XXX")) : r.currency);
  stmt.setString(7, r.platform);
  stmt.setString(8, r.provider);
  stmt.setString(9, r.reference);
  stmt.setString(10, clip_utf8(note, 500));
  stmt.execute();
  const uint64_t id = db.last_insert_id();
  if (state != PaymentState::kPaid) {
    record_audit(db, actor,
                 {state == PaymentState::kReview ? action::kPaymentReview : action::kRefundDue,
                  t ? std::optional<uint64_t>(t->concert_id) : std::nullopt,
                  t ? std::optional<uint64_t>(t->id) : std::nullopt, t ? t->code : std::string(),
                  clip_utf8(r.platform + " " + r.reference + " " +
                                format_money(r.amount.value_or(0)) + " " + r.currency + ": " + note,
                            2000)});
  }
  return id;
}

// The answer to a payment recorded before: the same money again.
PaymentResult answer_known(const KnownPayment& k) {
  switch (k.state) {
    case PaymentState::kPaid: return PaymentResult::kPaid;
    case PaymentState::kRefundDue: return PaymentResult::kRefundDue;
    case PaymentState::kRefunded: return PaymentResult::kRefunded;
    case PaymentState::kReview: return PaymentResult::kReview;
  }
  return PaymentResult::kReview;
}

// CALL tl_pay: the ticket (none for an unknown code) and whether it paid it.
Result<std::pair<std::optional<Ticket>, bool>> call_pay(Db& db, const PaymentReceipt& r,
                                                        const std::string& actor) {
  auto& call = db.prepare(kCallPay);
  call.setString(1, r.code);
  call.setString(2, r.platform);
  call.setString(3, r.reference);
  call.setString(4, actor);
  std::optional<ticket_rows::TicketRow> row;
  std::vector<Seat> seats;
  Status read;
  bool paid = false;
  try {
    db.call(call, [&](sql::ResultSet& rs) {
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
    if (is_duplicate_key(e, "uq_payment_reference") || is_duplicate_key(e, "uq_payments_reference"))
      return conflict("payment reference " + r.reference + " on " + r.platform +
                      " is already used by another payment");
    throw;
  }
  TL_TRY(read);
  if (!row) return std::make_pair(std::optional<Ticket>(), false);
  std::sort(seats.begin(), seats.end());
  for (const Seat& seat : seats) ticket_rows::add_seat(row->ticket, seat, row->layout);
  return std::make_pair(std::optional<Ticket>(std::move(row->ticket)), paid);
}

std::string late_by(const Ticket& t) {
  return "its hold ran out at " + format_iso8601(t.hold_expires_at.value_or(0));
}

Status check_receipt(PaymentReceipt& r) {
  const std::string p = to_upper(r.platform);
  if (p != "QRCODE" && p != "DIRECT" && p != "PAYPLAT")
    return invalid("--platform must be QRCODE, DIRECT or PAYPLAT, got " + quote(r.platform));
  r.platform = p;
  return check_payment_reference("--reference", r.reference);
}

// A payment of ticket `first` after its hold ran out (as the first
// transaction read it). MySQL decides, under its unique seat index and the
// ticket's row lock: the seats are taken again, or the money is due back.
// The event's row commits with that outcome. Then Redis is told: the seats
// are sold to the ticket (revive_seats), after the release of its expiry
// if MySQL had expired it.
Result<PaymentOutcome> revive_late(Context& ctx, const PaymentReceipt& r, const Ticket& first) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  PaymentOutcome out;
  bool was_released = false;
  TL_TRY(db->transaction([&]() -> Status {
    if (!r.event_id.empty() && !take_event(*db, r, "payment.succeeded")) {
      out.result = PaymentResult::kDuplicate;
      return {};
    }
    TL_ASSIGN_OR_RETURN(std::optional<Ticket> locked, lock_ticket(*db, r.code));
    if (!locked) return not_found("no ticket " + r.code);
    Ticket& t = *locked;
    out.ticket = t;
    auto refund_due = [&](const std::string& why) -> Status {
      out.result = PaymentResult::kRefundDue;
      out.why = why;
      TL_ASSIGN_OR_RETURN(const uint64_t id,
                          record_payment(*db, ctx.actor(), &t, r, PaymentState::kRefundDue, why));
      event_result(*db, r, "refund_due", id);
      return {};
    };
    // The same money again (a retry, another delivery): decided before.
    TL_ASSIGN_OR_RETURN(std::optional<KnownPayment> known, known_payment(*db, r));
    if (known) {
      if (known->code != t.code)
        return conflict("payment reference " + r.reference + " on " + r.platform +
                        " is already recorded for " + quote(known->code));
      out.result = answer_known(*known);
      event_result(*db, r, payment_result_name(out.result), known->id);
      return {};
    }
    if (t.status == TicketStatus::kSuccess) {
      // Revived or paid by another delivery meanwhile.
      if (t.platform == r.platform && t.reference == r.reference) {
        out.result = PaymentResult::kPaid;
        event_result(*db, r, "paid", 0);
      } else {
        return refund_due("ticket " + r.code + " is already paid with reference " + t.reference);
      }
      return {};
    }
    if (t.status == TicketStatus::kFail && t.reason != FailReason::kExpired)
      return refund_due("ticket " + r.code + " was " + to_lower(reason_name(t.reason)));
    was_released = t.status == TicketStatus::kFail;
    db->execute_text("SAVEPOINT revive");
    try {
      for (const char* sql : {kReviveTicket, kReviveSeats}) {
        auto& stmt = db->prepare(sql);
        stmt.setUInt64(1, t.id);
        stmt.execute();
      }
    } catch (const sql::SQLException& e) {
      const bool seat = is_duplicate_key(e, "uq_active_seat");
      if (!seat && !is_duplicate_key(e, "uq_ticket_active_customer")) throw;
      db->execute_text("ROLLBACK TO SAVEPOINT revive");
      return refund_due("paid after " + late_by(t) + "; " +
                        (seat ? std::string("a seat was sold meanwhile")
                              : std::string("the customer holds another ticket of the concert")));
    }
    auto& paid = db->prepare(kRecordPaid);
    paid.setString(1, r.platform);
    paid.setString(2, r.reference);
    paid.setUInt64(3, t.id);
    try {
      paid.execute();
    } catch (const sql::SQLException& e) {
      if (!is_duplicate_key(e, "uq_payment_reference")) throw;
      return conflict("payment reference " + r.reference + " on " + r.platform +
                      " is already used by another payment");
    }
    TL_ASSIGN_OR_RETURN(const uint64_t payment,
                        record_payment(*db, ctx.actor(), &t, r, PaymentState::kPaid, ""));
    record_audit(*db, ctx.actor(),
                 {action::kRevived, t.concert_id, t.id, t.code,
                  r.platform + " " + r.reference + ", paid after " + late_by(t)});
    event_result(*db, r, "paid", payment);
    out.result = PaymentResult::kRevived;
    out.ticket->status = TicketStatus::kSuccess;
    out.ticket->reason = FailReason::kNone;
    out.ticket->platform = r.platform;
    out.ticket->reference = r.reference;
    return {};
  }));
  if (out.result == PaymentResult::kRevived) {
    failpoint("pay-after-commit");
    // Sold in MySQL. Should Redis miss this, reconciliation marks the seats
    // taken; meanwhile MySQL's unique index refuses any buyer of them.
    (void)revive_seats(ctx, first.concert_id, first.code, first.seat_indexes, was_released,
                       kReleaseWaitMs);
  }
  return out;
}

}  // namespace

Status check_payment_reference(const std::string& flag, std::string_view reference) {
  bool ok = !reference.empty() && reference.size() <= 128;
  for (char c : reference) {
    ok = ok && ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                c == '-' || c == '_' || c == '.' || c == ':' || c == '/');
  }
  if (!ok)
    return invalid(flag + " must be 1 to 128 letters, digits or - _ . : /, got " +
                   quote(reference));
  return {};
}

bool is_recordable_code(std::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
           c == '_' || c == '.';
  });
}

const char* payment_state_name(PaymentState state) {
  switch (state) {
    case PaymentState::kPaid: return "PAID";
    case PaymentState::kRefundDue: return "REFUND_DUE";
    case PaymentState::kRefunded: return "REFUNDED";
    case PaymentState::kReview: return "REVIEW";
  }
  return "PAID";
}

Result<PaymentState> parse_payment_state(std::string_view text) {
  const std::string s = to_upper(text);
  for (PaymentState state : {PaymentState::kPaid, PaymentState::kRefundDue, PaymentState::kRefunded,
                             PaymentState::kReview})
    if (s == payment_state_name(state)) return state;
  return invalid("--state must be PAID, REFUND_DUE, REFUNDED or REVIEW, got " + quote(text));
}

const char* payment_result_name(PaymentResult result) {
  switch (result) {
    case PaymentResult::kPaid:
    case PaymentResult::kRevived: return "paid";
    case PaymentResult::kRefundDue: return "refund_due";
    case PaymentResult::kReview: return "review";
    case PaymentResult::kDuplicate: return "duplicate";
    case PaymentResult::kRefunded: return "refunded";
    case PaymentResult::kNoted: return "noted";
  }
  return "paid";
}

Result<PaymentOutcome> receive_payment(Context& ctx, const PaymentReceipt& receipt) {
  PaymentReceipt r = receipt;
  const bool provider = !r.provider.empty();
  TL_TRY(check_receipt(r));
  if (provider) {
    if (!is_recordable_code(r.code))
      return invalid("\"ticket\" must be a ticket code, got " + quote(r.code));
    if (auto code = parse_ticket_code(r.code); code.ok()) r.code = *code;
  } else {
    TL_ASSIGN_OR_RETURN(r.code, parse_ticket_code(r.code));
  }
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  const std::string& actor = ctx.actor();

  PaymentOutcome out;
  Ticket t;
  bool revive = false;
  PaymentResult known_result = PaymentResult::kPaid;
  // First transaction: a payment in time, or one whose fate needs no seat.
  Result<Step> first = db->transaction<Step>([&]() -> Result<Step> {
    if (!r.event_id.empty() && !take_event(*db, r, "payment.succeeded")) return Step::kDuplicate;
    if (provider) {
      // The same money again (a new delivery of it, or after its refund
      // came first): decided before.
      TL_ASSIGN_OR_RETURN(std::optional<KnownPayment> known, known_payment(*db, r));
      if (known && known->code != r.code) {
        out.why =
            "payment reference " + r.reference + " is already recorded for " + quote(known->code);
        record_audit(*db, actor,
                     {action::kPaymentReview, std::nullopt, std::nullopt, "",
                      r.platform + " " + r.reference + " for " + quote(r.code) + ": " + out.why});
        event_result(*db, r, "review", known->id);
        return Step::kReview;
      }
      if (known) {
        known_result = answer_known(*known);
        event_result(*db, r, payment_result_name(known_result), known->id);
        return Step::kKnown;
      }
      // What the provider says it took is checked before anything is paid.
      TL_ASSIGN_OR_RETURN(std::optional<Ticket> locked, lock_ticket(*db, r.code));
      std::string why;
      if (!locked)
        why = "no ticket " + r.code;
      else if (locked->zone != Zone::kBuy)
        why = "ticket " + r.code + " is a free ticket";
      else if (r.amount && *r.amount != locked->amount)
        why = "amount " + format_money(*r.amount) + " is not the ticket's " +
              format_money(locked->amount);
      else if (!r.currency.empty() && r.currency != locked->currency)
        why = "currency " + r.currency + " is not the ticket's " + locked->currency;
      if (!why.empty()) {
        if (locked) t = *locked;
        out.why = why;
        TL_ASSIGN_OR_RETURN(const uint64_t id, record_payment(*db, actor, locked ? &t : nullptr, r,
                                                              PaymentState::kReview, why));
        event_result(*db, r, "review", id);
        return Step::kReview;
      }
    }
    TL_ASSIGN_OR_RETURN(auto called, call_pay(*db, r, actor));
    if (!called.first) return not_found("no ticket " + r.code);
    t = std::move(*called.first);
    if (called.second) {
      if (provider) {
        // tl_pay records a payment without its provider.
        auto& by = db->prepare(kSetProvider);
        by.setString(1, r.provider);
        by.setString(2, r.platform);
        by.setString(3, r.reference);
        by.execute();
      }
      event_result(*db, r, "paid", 0);
      return Step::kPaid;
    }
    if (t.zone != Zone::kBuy)
      return invalid("ticket " + r.code + " is a free ticket; there is nothing to pay");
    if (t.status == TicketStatus::kSuccess) {
      if (t.platform == r.platform && t.reference == r.reference) {
        event_result(*db, r, "paid", 0);
        return Step::kAlreadyPaid;
      }
      if (!provider)
        return conflict("ticket " + r.code + " is already paid with another reference");
      out.why = "ticket " + r.code + " is already paid with reference " + t.reference;
      TL_ASSIGN_OR_RETURN(const uint64_t id,
                          record_payment(*db, actor, &t, r, PaymentState::kRefundDue, out.why));
      event_result(*db, r, "refund_due", id);
      return Step::kRefundDue;
    }
    if (t.status == TicketStatus::kFail && t.reason != FailReason::kExpired) {
      out.why = "ticket " + r.code + " was " + to_lower(reason_name(t.reason));
      TL_ASSIGN_OR_RETURN(const uint64_t id,
                          record_payment(*db, actor, &t, r, PaymentState::kRefundDue, out.why));
      event_result(*db, r, "refund_due", id);
      return Step::kRefundDue;
    }
    if (t.status == TicketStatus::kProcess && !t.past_deadline)
      return internal("tl_pay left ticket " + r.code + " unpaid while its hold still runs");
    // Past its deadline: revived below, or refunded, in a transaction of
    // its own. Nothing here is kept (the event's row goes with the
    // effect): an error rolls this one back.
    revive = true;
    return conflict("revive");
  });
  if (!first.ok() && !revive) return first.error();
  const Step step = revive ? Step::kRevive : *first;
  if (step == Step::kRevive) return revive_late(ctx, r, t);
  out.ticket = t;
  if (step == Step::kKnown || (step == Step::kReview && t.id == 0)) out.ticket.reset();
  switch (step) {
    case Step::kKnown: out.result = known_result; break;
    case Step::kDuplicate: out.result = PaymentResult::kDuplicate; break;
    case Step::kReview: out.result = PaymentResult::kReview; break;
    case Step::kRefundDue: out.result = PaymentResult::kRefundDue; break;
    default: out.result = PaymentResult::kPaid; break;
  }
  if (step == Step::kPaid) {
    failpoint("pay-after-commit");
    // The sale is decided. Should Redis miss this, the seats stay taken by
    // the hold until the daemon finds the ticket SUCCESS and confirms it.
    (void)confirm_seats(ctx, t.concert_id, Zone::kBuy, t.code, t.seat_indexes, seat_event::kSold);
  }
  if (step == Step::kPaid || step == Step::kAlreadyPaid) {
    out.ticket->status = TicketStatus::kSuccess;
    out.ticket->platform = r.platform;
    out.ticket->reference = r.reference;
  }
  return out;
}

Result<PaymentOutcome> receive_refund(Context& ctx, const PaymentReceipt& receipt) {
  PaymentReceipt r = receipt;
  TL_TRY(check_receipt(r));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  PaymentOutcome out;
  TL_TRY(db->transaction([&]() -> Status {
    if (!r.event_id.empty() && !take_event(*db, r, "refund.succeeded")) {
      out.result = PaymentResult::kDuplicate;
      return {};
    }
    auto& find = db->prepare(kRefundOf);
    find.setString(1, r.platform);
    find.setString(2, r.reference);
    ResultSetPtr rs = db->query(find);
    const std::string by = r.provider.empty() ? std::string("hand") : "provider " + r.provider;
    if (!rs->next()) {
      // Money given back before its payment arrived: the payment, when it
      // comes, finds this row and is not taken (receive_payment).
      out.result = PaymentResult::kReview;
      out.why = "refunded by " + by + " before its payment was recorded";
      TL_ASSIGN_OR_RETURN(const uint64_t id, record_payment(*db, ctx.actor(), nullptr, r,
                                                            PaymentState::kReview, out.why));
      event_result(*db, r, "review", id);
      return {};
    }
    const uint64_t id = rs->getUInt64(1);
    TL_ASSIGN_OR_RETURN(const PaymentState state,
                        parse_payment_state(std::string(rs->getString(2))));
    const std::optional<uint64_t> ticket =
        rs->isNull(3) ? std::nullopt : std::optional<uint64_t>(rs->getUInt64(3));
    const std::string code = ticket ? std::string(rs->getString(4)) : std::string();
    const std::optional<uint64_t> concert =
        rs->isNull(5) ? std::nullopt : std::optional<uint64_t>(rs->getUInt64(5));
    const bool ticket_sold = !rs->isNull(6) && std::string(rs->getString(6)) == "SUCCESS";
    if (state == PaymentState::kRefunded) {
      out.result = PaymentResult::kRefunded;
      event_result(*db, r, "refunded", id);
      return {};
    }
    if (ticket_sold && state != PaymentState::kRefundDue) {
      // Money gone back for a ticket that is still sold: an operator decides
      // (it stays under review whatever refunds follow).
      out.result = PaymentResult::kReview;
      out.why = "refunded by " + by + " while its ticket is still paid";
      if (state == PaymentState::kPaid) {
        auto& set = db->prepare(kSetState);
        set.setString(1, payment_state_name(PaymentState::kReview));
        set.setString(2, out.why);
        set.setNull(3, 0);
        set.setUInt64(4, id);
        set.execute();
        record_audit(*db, ctx.actor(),
                     {action::kPaymentReview, concert, ticket, code,
                      r.platform + " " + r.reference + ": " + out.why});
      }
      event_result(*db, r, "review", id);
      return {};
    }
    auto& set = db->prepare(kSetState);
    set.setString(1, payment_state_name(PaymentState::kRefunded));
    set.setString(2, "refunded by " + by);
    if (r.event_id.empty())
      set.setNull(3, 0);
    else
      set.setString(3, r.event_id.substr(0, 128));
    set.setUInt64(4, id);
    set.execute();
    record_audit(*db, ctx.actor(),
                 {action::kRefunded, concert, ticket, code,
                  r.platform + " " + r.reference + ": refunded by " + by});
    out.result = PaymentResult::kRefunded;
    event_result(*db, r, "refunded", id);
    return {};
  }));
  return out;
}

Result<PaymentOutcome> note_event(Context& ctx, const PaymentReceipt& r, const std::string& type) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  PaymentOutcome out;
  out.result = PaymentResult::kNoted;
  TL_TRY(db->transaction([&]() -> Status {
    if (!take_event(*db, r, type.c_str())) {
      out.result = PaymentResult::kDuplicate;
      return {};
    }
    event_result(*db, r, "noted", 0);
    return {};
  }));
  return out;
}

}  // namespace ticket
