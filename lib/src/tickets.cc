#include "ticket/tickets.h"

#include "audit_sql.h"
#include "random_bytes.h"
#include "ticket/audit.h"
#include "ticket/text.h"
#include "ticket_rows.h"
#include "tickets_sql.h"

namespace ticket {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr size_t kCodeChars = 8;

constexpr const char* kLock = "SELECT id FROM TICKETS WHERE code = ? FOR UPDATE";
constexpr const char* kSelect =
    "SELECT " TL_TICKET_COLUMNS " FROM TICKETS t" TL_TICKET_JOINS " WHERE t.code = ?";
constexpr const char* kSeats =
    "SELECT zone, seat_row, seat_number FROM TICKET_SEATS WHERE ticket_id = ? ORDER BY seat_row, seat_number";
constexpr const char* kFailTicket =
    "UPDATE TICKETS SET status = 'FAIL', reason = ?, updated_at = NOW(3) WHERE id = ? AND status <> 'FAIL'";
constexpr const char* kFailSeats = "UPDATE TICKET_SEATS SET status = 'FAIL' WHERE ticket_id = ?";

Result<std::optional<Ticket>> load(Db& db, const std::string& code) {
  auto& stmt = db.prepare(kSelect);
  stmt.setString(1, code);
  ResultSetPtr rs = db.query(stmt);
  if (!rs->next()) return std::optional<Ticket>();
  TL_ASSIGN_OR_RETURN(ticket_rows::TicketRow row, ticket_rows::read_ticket(*rs));

  auto& seats = db.prepare(kSeats);
  seats.setUInt64(1, row.ticket.id);
  ResultSetPtr srs = db.query(seats);
  while (srs->next()) {
    TL_ASSIGN_OR_RETURN(const Seat seat, ticket_rows::read_seat(*srs, 1));
    ticket_rows::add_seat(row.ticket, seat, row.layout);
  }
  return std::optional<Ticket>(std::move(row.ticket));
}

// "TB-" or "TF-" and 8 characters of Crockford's base 32.
Result<std::string> new_ticket_code(Zone zone) {
  unsigned char raw[kCodeChars];
  TL_TRY(random_bytes(raw, sizeof raw, "a ticket code"));
  std::string code = zone == Zone::kBuy ? "TB-" : "TF-";
  for (unsigned char b : raw) code += kAlphabet[b % kAlphabet.size()];
  return code;
}

}  // namespace

Result<Ticket> new_ticket(Zone zone, const Concert& concert) {
  Ticket t;
  TL_ASSIGN_OR_RETURN(t.code, new_ticket_code(zone));
  t.concert_id = concert.id;
  t.zone = zone;
  t.status = TicketStatus::kProcess;
  t.currency = concert.currency;
  return t;
}

Result<std::string> parse_ticket_code(std::string_view text) {
  std::string code = to_upper(text);
  bool ok =
      code.size() == 3 + kCodeChars && (code.rfind("TB-", 0) == 0 || code.rfind("TF-", 0) == 0);
  for (size_t i = 3; ok && i < code.size(); ++i)
    ok = kAlphabet.find(code[i]) != std::string_view::npos;
  if (!ok) return invalid(quote(text) + " is not a ticket code (codes look like TB-7K3MQ9XZ)");
  return code;
}

Result<Ticket> find_ticket(Context& ctx, std::string_view text) {
  TL_ASSIGN_OR_RETURN(std::string code, parse_ticket_code(text));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<Ticket>([&]() -> Result<Ticket> {
    TL_ASSIGN_OR_RETURN(std::optional<Ticket> t, load(*db, code));
    if (!t) return not_found("no ticket " + code);
    return std::move(*t);
  });
}

Result<std::optional<Ticket>> lock_ticket(Db& db, const std::string& code) {
  auto& stmt = db.prepare(kLock);
  stmt.setString(1, code);
  ResultSetPtr rs = db.query(stmt);
  if (!rs->next()) return std::optional<Ticket>();
  return load(db, code);
}

bool fail_ticket(Db& db, const std::string& actor, const Ticket& ticket, FailReason reason,
                 const char* action, const std::string& detail) {
  auto& fail = db.prepare(kFailTicket);
  fail.setString(1, std::string(reason_name(reason)));
  fail.setUInt64(2, ticket.id);
  if (fail.executeUpdate() == 0) return false;
  auto& seats = db.prepare(kFailSeats);
  seats.setUInt64(1, ticket.id);
  seats.execute();
  record_audit(db, actor, {action, ticket.concert_id, ticket.id, ticket.code, detail});
  return true;
}

}  // namespace ticket
