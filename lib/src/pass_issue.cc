#include "ticket/passes.h"
#include "ticket/text.h"
#include "ticket/tickets.h"
#include "ticket/timestamp.h"

namespace ticket {

Result<std::string> issue_pass(Context& ctx, std::string_view code) {
  TL_ASSIGN_OR_RETURN(Ticket t, find_ticket(ctx, code));
  if (t.status == TicketStatus::kProcess)
    return expired("ticket " + t.code + " is not " + (t.zone == Zone::kBuy ? "paid" : "granted") +
                   " yet: it has no pass");
  if (t.status != TicketStatus::kSuccess)
    return expired("ticket " + t.code + " was " + to_lower(reason_name(t.reason)) +
                   ": it has no pass");
  TL_ASSIGN_OR_RETURN(SigningKey key, load_signing_key(ctx.config().passes.signing_key_file));
  PassContent c;
  c.key_id = key.id;
  c.code = t.code;
  c.concert_id = t.concert_id;
  c.zone = t.zone;
  c.seats = t.seats;
  c.issued_s = wall_clock_ms() / 1000;
  return make_pass(key, c);
}

}  // namespace ticket
