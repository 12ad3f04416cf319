// Money received for tickets (docs/design.md §12): every payment is a row in
// a state an operator can act on, whether it paid its ticket or not. A
// payment that arrives after its hold ran out revives the ticket while its
// seats are free; otherwise its money is due back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ticket/context.h"
#include "ticket/money.h"
#include "ticket/tickets.h"
#include "ticket/timestamp.h"

namespace ticket {

enum class PaymentState { kPaid, kRefundDue, kRefunded, kReview };

// "PAID", "REFUND_DUE", "REFUNDED", "REVIEW".
const char* payment_state_name(PaymentState state);
// From any case; kInvalid naming the states otherwise.
Result<PaymentState> parse_payment_state(std::string_view text);

struct Payment {
  uint64_t id = 0;
  std::string ticket_code;  // as the payment named it
  std::optional<uint64_t> concert_id;
  PaymentState state = PaymentState::kPaid;
  Cents amount = 0;
  std::string currency;
  std::string platform;
  std::string provider;  // "" for tl-pay
  std::string reference;
  std::string note;  // why it is not PAID
  std::string refund_reference;
  Millis received_at = 0;
  Millis updated_at = 0;
};

// A payment as it arrives: from tl-pay (no amount, no event) or from a
// provider's event.
struct PaymentReceipt {
  std::string code;             // the ticket's code as given
  std::string platform;         // QRCODE, DIRECT or PAYPLAT
  std::string reference;        // the platform's payment id
  std::optional<Cents> amount;  // checked against the ticket's when given
  std::string currency;         // likewise
  std::string provider;         // "" for tl-pay
  std::string event_id;         // "" for tl-pay: taken once per provider
};

enum class PaymentResult {
  kPaid,       // the ticket was paid in time, or already with this reference
  kRevived,    // paid after its hold ran out, every seat still free: sold
  kRefundDue,  // recorded REFUND_DUE: a seat was sold meanwhile, or the ticket failed
  kReview,     // recorded REVIEW: unknown ticket, another amount or currency
  kDuplicate,  // the provider's event was taken before: nothing changed
  kRefunded,   // the payment is REFUNDED (now, or already)
  kNoted,      // an event with no effect (payment.failed), taken once
};

// "paid", "paid" (revived), "refund_due", "review", "duplicate", "refunded",
// "noted".
const char* payment_result_name(PaymentResult result);

struct PaymentOutcome {
  PaymentResult result = PaymentResult::kPaid;
  std::optional<Ticket> ticket;  // as it is now, when there is one
  std::string why;               // for kRefundDue and kReview
};

// Takes a payment for a ticket exactly once. A ticket in PROCESS within its
// hold is paid as tl-pay pays it (two round trips). A ticket past its
// deadline is revived when all its seats are free: held again in Redis,
// then taken under MySQL's unique seat index, audit action `revived`; a
// seat taken meanwhile, a cancelled or rejected ticket, or a second
// payment of a paid ticket records the money as REFUND_DUE. With an event
// id, the event's PAYMENT_EVENTS row commits with the effect, so that a
// repeat (also concurrent) is kDuplicate. Errors: kInvalid (bad platform
// or reference), kConflict (a reference another ticket's payment has).
// Without a provider (tl-pay), an unknown code is kNotFound and a free
// ticket kInvalid instead of REVIEW.
Result<PaymentOutcome> receive_payment(Context& ctx, const PaymentReceipt& receipt);

// A payment or refund reference as the platforms give them: 1 to 128
// letters, digits or - _ . : /; kInvalid naming `flag` otherwise.
Status check_payment_reference(const std::string& flag, std::string_view reference);

// Whether a payment's ticket code, as a provider sent it, can be kept on
// record: 1 to 64 letters, digits or - _ . (whether or not a ticket has it).
bool is_recordable_code(std::string_view code);

struct PaymentQuery {
  std::optional<std::string> concert;  // id or slug
  std::optional<PaymentState> state;
  std::optional<std::string> code;  // one ticket's payments
};
// Oldest first. kNotFound for an unknown concert.
Result<std::vector<Payment>> list_payments(Context& ctx, const PaymentQuery& query);

// Marks the REFUND_DUE (or REVIEW) payment of ticket `code` REFUNDED with
// the refund's reference, and writes a `refunded` audit row. With
// `reference`, the payment of that reference among several. kNotFound when
// the ticket has no payment; kConflict when it has none to refund (a PAID
// payment is refunded by cancelling its ticket first) or several and no
// reference says which.
Result<Payment> refund_payment(Context& ctx, std::string_view code,
                               const std::optional<std::string>& reference,
                               const std::string& refund_reference);

// A provider's `refund.succeeded` for the payment of `reference`: REFUNDED
// when it was due; a PAID payment goes to REVIEW (the provider gave money
// back for a ticket still sold). Exactly once per event as above.
Result<PaymentOutcome> receive_refund(Context& ctx, const PaymentReceipt& receipt);

// A provider's event that changes nothing (`payment.failed`: the hold runs
// out by itself), taken once: kNoted, or kDuplicate.
Result<PaymentOutcome> note_event(Context& ctx, const PaymentReceipt& receipt,
                                  const std::string& type);

}  // namespace ticket
