// Paying for held seats (docs/design.md §5.2).
#pragma once

#include <string>

#include "ticket/context.h"
#include "ticket/tickets.h"

namespace ticket {

struct PayRequest {
  std::string code;
  std::string platform;   // QRCODE, DIRECT or PAYPLAT, any case
  std::string reference;  // the platform's payment reference
};

// Decided in one MySQL transaction under the ticket's row lock and the MySQL
// clock: a PROCESS ticket within its deadline becomes SUCCESS; the same
// platform and reference again succeed without change. Then the seats are
// confirmed in Redis (they stay taken). Past the deadline, the ticket is
// revived when every seat is still free (`*revived` set), as
// receive_payment (payments.h) decides.
//
// Errors: kInvalid, kNotFound, kConflict (paid with another reference, the
// reference belongs to another payment), kExpired (past the deadline with a
// seat sold meanwhile, or a cancelled or rejected ticket: the money is
// recorded as REFUND_DUE).
Result<Ticket> pay(Context& ctx, const PayRequest& request, bool* revived = nullptr);

}  // namespace ticket
