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
// confirmed in Redis (they stay taken).
//
// Errors: kInvalid, kNotFound, kConflict (paid with another reference, the
// reference belongs to another ticket, cancelled or rejected), kExpired (past
// the deadline: the ticket becomes FAIL/EXPIRED and its seats are released).
Result<Ticket> pay(Context& ctx, const PayRequest& request);

}  // namespace ticket
