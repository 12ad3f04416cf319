#include "ticket/tickets.h"

#include <openssl/rand.h>

#include <cstdlib>

#include "ticket/audit.h"
#include "ticket/text.h"
#include "audit_sql.h"
#include "tickets_sql.h"

namespace ticket {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr size_t kCodeChars = 8;

constexpr const char* kLock = "SELECT id FROM TICKETS WHERE code = ? FOR UPDATE";
// The holder's name, age and gender are the ticket's own (as given when it
// was bought or applied for); only the masked security number comes from
// the customer.
constexpr const char* kSelect =
    "SELECT t.id, t.code, t.concert_id, t.zone, t.status, COALESCE(t.reason, ''), t.amount,"
    " t.currency, CAST(UNIX_TIMESTAMP(t.hold_expires_at) * 1000 AS SIGNED),"
    " COALESCE(t.hold_expires_at < NOW(3), 0),"
    " t.holder_name, c.id_last4, COALESCE(p.platform, ''), COALESCE(p.reference, ''),"
    " CAST(UNIX_TIMESTAMP(p.paid_at) * 1000 AS SIGNED),"
    " CAST(UNIX_TIMESTAMP(t.created_at) * 1000 AS SIGNED),"
    " k.seat_rows, k.seats_per_row, k.free_seats, t.holder_age, t.holder_gender"
    " FROM TICKETS t JOIN CUSTOMERS c ON c.id = t.customer_id"
    " JOIN CONCERTS k ON k.id = t.concert_id"
    " LEFT JOIN TICKETS_APPLY_BUY p ON p.ticket_id = t.id WHERE t.code = ?";
constexpr const char* kSeats =
    "SELECT zone, seat_row, seat_number FROM TICKET_SEATS WHERE ticket_id = ? ORDER BY seat_row, seat_number";
constexpr const char* kFailTicket =
    "UPDATE TICKETS SET status = 'FAIL', reason = ?, updated_at = NOW(3) WHERE id = ? AND status <> 'FAIL'";
constexpr const char* kFailSeats = "UPDATE TICKET_SEATS SET status = 'FAIL' WHERE ticket_id = ?";

std::optional<Ticket> load(Db& db, const std::string& code) {
  auto& stmt = db.prepare(kSelect);
  stmt.setString(1, code);
  ResultSetPtr rs = db.query(stmt);
  if (!rs->next()) return std::nullopt;
  Ticket t;
  t.id = rs->getUInt64(1);
  t.code = rs->getString(2);
  t.concert_id = rs->getUInt64(3);
  t.zone = rs->getString(4) == "BUY" ? Zone::kBuy : Zone::kFree;
  t.status = rs->getString(5);
  t.reason = rs->getString(6);
  auto amount = parse_money(std::string(rs->getString(7)));
  t.amount = amount.ok() ? *amount : 0;
  t.currency = rs->getString(8);
  if (!rs->isNull(9)) t.hold_expires_at = rs->getInt64(9);
  t.past_deadline = rs->getInt(10) != 0;
  t.customer_name = rs->getString(11);
  t.customer_age = rs->getInt(20);
  t.customer_gender = rs->getString(21);
  t.customer_last4 = rs->getString(12);
  t.platform = rs->getString(13);
  t.reference = rs->getString(14);
  if (!rs->isNull(15)) t.paid_at = rs->getInt64(15);
  t.created_at = rs->getInt64(16);
  const Layout layout{rs->getInt(17), rs->getInt(18), rs->getInt(19)};

  auto& seats = db.prepare(kSeats);
  seats.setUInt64(1, t.id);
  ResultSetPtr srs = db.query(seats);
  while (srs->next()) {
    const Zone zone = srs->getString(1) == "BUY" ? Zone::kBuy : Zone::kFree;
    const Seat seat{zone, static_cast<int>(srs->getUInt(2)), static_cast<int>(srs->getUInt(3))};
    t.seats.push_back(seat);
    t.seat_indexes.push_back(seat_index(seat, layout));
  }
  return t;
}

}  // namespace

std::string new_ticket_code(Zone zone) {
  unsigned char raw[kCodeChars];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    for (auto& b : raw) b = static_cast<unsigned char>(std::rand());
  }
  std::string code = zone == Zone::kBuy ? "TB-" : "TF-";
  for (unsigned char b : raw) code += kAlphabet[b % kAlphabet.size()];
  return code;
}

Ticket new_ticket(Zone zone, const Concert& concert) {
  Ticket t;
  t.code = new_ticket_code(zone);
  t.concert_id = concert.id;
  t.zone = zone;
  t.status = "PROCESS";
  t.currency = concert.currency;
  return t;
}

Result<std::string> parse_ticket_code(std::string_view text) {
  std::string code = to_upper(text);
  bool ok = code.size() == 3 + kCodeChars && (code.rfind("TB-", 0) == 0 || code.rfind("TF-", 0) == 0);
  for (size_t i = 3; ok && i < code.size(); ++i) ok = kAlphabet.find(code[i]) != std::string_view::npos;
  if (!ok) return invalid(quote(text) + " is not a ticket code (codes look like TB-7K3MQ9XZ)");
  return code;
}

Result<Ticket> find_ticket(Context& ctx, std::string_view text) {
  TL_ASSIGN_OR_RETURN(std::string code, parse_ticket_code(text));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<Ticket>([&]() -> Result<Ticket> {
    auto t = load(*db, code);
    if (!t) return not_found("no ticket " + code);
    return std::move(*t);
  });
}

std::optional<Ticket> lock_ticket(Db& db, const std::string& code) {
  auto& stmt = db.prepare(kLock);
  stmt.setString(1, code);
  ResultSetPtr rs = db.query(stmt);
  if (!rs->next()) return std::nullopt;
  return load(db, code);
}

bool fail_ticket(Db& db, const std::string& actor, const Ticket& ticket, const char* reason, const char* action,
                 const std::string& detail) {
  auto& fail = db.prepare(kFailTicket);
  fail.setString(1, reason);
  fail.setUInt64(2, ticket.id);
  if (fail.executeUpdate() == 0) return false;
  auto& seats = db.prepare(kFailSeats);
  seats.setUInt64(1, ticket.id);
  seats.execute();
  record_audit(db, actor, {action, ticket.concert_id, ticket.id, ticket.code, detail});
  return true;
}

}  // namespace ticket
