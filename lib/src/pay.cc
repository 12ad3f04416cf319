#include "ticket/pay.h"

#include "ticket/payments.h"

namespace ticket {

Result<Ticket> pay(Context& ctx, const PayRequest& req, bool* revived) {
  PaymentReceipt receipt;
  receipt.code = req.code;
  receipt.platform = req.platform;
  receipt.reference = req.reference;
  TL_ASSIGN_OR_RETURN(PaymentOutcome o, receive_payment(ctx, receipt));
  if (revived) *revived = o.result == PaymentResult::kRevived;
  switch (o.result) {
    case PaymentResult::kPaid:
    case PaymentResult::kRevived: return std::move(*o.ticket);
    case PaymentResult::kRefundDue:
      return expired(o.why + ": the payment is recorded as REFUND_DUE (see tl-admin payments)");
    case PaymentResult::kReview:
    case PaymentResult::kDuplicate:
    case PaymentResult::kRefunded:
    case PaymentResult::kNoted: break;
  }
  return internal(std::string("a payment without a provider came out as ") +
                  payment_result_name(o.result));
}

}  // namespace ticket
