#include "ticket/buy.h"

#include <cppconn/exception.h>

#include <algorithm>

#include "audit_sql.h"
#include "customer_sql.h"
#include "redis.h"
#include "ticket/audit.h"
#include "ticket/concerts.h"
#include "ticket/expire.h"
#include "ticket/failpoint.h"
#include "ticket/reconcile.h"
#include "ticket/seat_map_writes.h"
#include "ticket/text.h"

namespace ticket {
namespace {

// The ids come from LAST_INSERT_ID() on the server: the customer's, set by
// the upsert just before, then the ticket's, set by this insert. Reading
// them back to the client would cost a round trip each. The holder's details
// are the ticket's own, as given for this buy.
constexpr const char* kInsertTicket =
    "INSERT INTO TICKETS (code, concert_id, customer_id, holder_name, holder_age, holder_gender,"
    " zone, status, amount, currency, hold_expires_at, created_at, updated_at)"
    " VALUES (?, ?, LAST_INSERT_ID(), ?, ?, ?, 'BUY', 'PROCESS', ?, ?, NOW(3) + INTERVAL ? SECOND,"
    " NOW(3), NOW(3))";
constexpr const char* kInsertSeat =
    "INSERT INTO TICKET_SEATS (ticket_id, concert_id, zone, seat_row, seat_number, status)"
    " VALUES (?, ?, 'BUY', ?, ?, 'PROCESS')";
constexpr const char* kInsertPayment =
    "INSERT INTO TICKETS_APPLY_BUY (ticket_id, amount, currency) VALUES (?, ?, ?)";
constexpr const char* kInserted =
    "SELECT id, CAST(UNIX_TIMESTAMP(hold_expires_at) * 1000 AS SIGNED),"
    " CAST(UNIX_TIMESTAMP(created_at) * 1000 AS SIGNED) FROM TICKETS WHERE id = LAST_INSERT_ID()";

// The seats asked for, checked against the concert.
Result<std::vector<Seat>> wanted_seats(const BuyRequest& req, const Concert& concert) {
  const int max = concert.max_seats_per_ticket;
  if (req.best != 0) {
    if (!req.seats.empty()) return invalid("give either --seat or --best, not both");
    if (req.best < 1 || req.best > max || req.best > concert.layout.seats_per_row)
      return invalid("--best must be from 1 to " +
                     std::to_string(std::min(max, concert.layout.seats_per_row)) + " for concert " +
                     concert.slug + ", got " + std::to_string(req.best));
    return std::vector<Seat>{};
  }
  if (req.seats.empty()) return invalid("give the seats to buy with --seat A12 (or --best N)");
  if (static_cast<int>(req.seats.size()) > max)
    return invalid("concert " + concert.slug + " sells at most " + std::to_string(max) + " seat" +
                   (max == 1 ? "" : "s") + " per ticket, got " + std::to_string(req.seats.size()));
  std::vector<Seat> seats;
  for (const auto& label : req.seats) {
    TL_ASSIGN_OR_RETURN(Seat seat, parse_seat(label, concert.layout));
    if (seat.zone != Zone::kBuy)
      return invalid("seat " + seat_label(seat) +
                     " is in the free zone; apply for it with tl-apply-free");
    if (std::find(seats.begin(), seats.end(), seat) != seats.end())
      return invalid("seat " + seat_label(seat) + " is given twice");
    seats.push_back(seat);
  }
  return seats;
}

}  // namespace

Result<Ticket> buy(Context& ctx, const BuyRequest& req) {
  TL_ASSIGN_OR_RETURN(Customer customer, validate_customer(req.customer));
  TL_ASSIGN_OR_RETURN(Concert concert, find_concert(ctx, req.concert));
  TL_ASSIGN_OR_RETURN(std::vector<Seat> seats, wanted_seats(req, concert));
  if (!concert.open) return expired("sales of concert " + concert.slug + " are closed");
  TL_ASSIGN_OR_RETURN(std::string secret, ctx.secret());
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());

  // Redis first: the hold is what keeps two buyers of one seat apart, in one
  // atomic script. Its deadline here only schedules the expiry; MySQL's
  // hold_expires_at, set below by the MySQL clock, decides.
  TL_ASSIGN_OR_RETURN(Ticket t, new_ticket(Zone::kBuy, concert));
  const Millis redis_deadline = wall_clock_ms() + static_cast<Millis>(concert.hold_seconds) * 1000;
  if (req.best != 0) {
    TL_ASSIGN_OR_RETURN(t.seat_indexes, hold_best(ctx, concert, t.code, redis_deadline, req.best));
    for (int i : t.seat_indexes) t.seats.push_back(seat_at(Zone::kBuy, i, concert.layout));
  } else {
    t.seats = seats;
    for (const Seat& s : seats) t.seat_indexes.push_back(seat_index(s, concert.layout));
    TL_TRY(hold_seats(ctx, concert, t.code, redis_deadline, t.seat_indexes));
  }
  t.amount = concert.price * static_cast<Cents>(t.seats.size());
  failpoint("buy-after-hold");

  bool seat_clash = false;
  Status s = db->transaction([&]() -> Status {
    upsert_customer_keeping_id(*db, secret, customer);
    auto& ins = db->prepare(kInsertTicket);
    ins.setString(1, t.code);
    ins.setUInt64(2, concert.id);
    ins.setString(3, customer.name);
    ins.setInt(4, customer.age);
    ins.setString(5, customer.gender);
    ins.setString(6, format_money(t.amount));
    ins.setString(7, t.currency);
    ins.setInt(8, concert.hold_seconds);
    try {
      ins.execute();
    } catch (const sql::SQLException& e) {
      if (is_duplicate_key(e, "uq_ticket_active_customer"))
        return conflict("this customer already has an active ticket for concert " + concert.slug);
      throw;
    }
    {
      ResultSetPtr rs = db->query(db->prepare(kInserted));
      if (!rs->next()) return internal("the ticket just inserted was not found");
      t.id = rs->getUInt64(1);
      t.hold_expires_at = rs->getInt64(2);
      t.created_at = rs->getInt64(3);
    }
    for (const Seat& seat : t.seats) {
      auto& st = db->prepare(kInsertSeat);
      st.setUInt64(1, t.id);
      st.setUInt64(2, concert.id);
      st.setInt(3, seat.row);
      st.setInt(4, seat.number);
      try {
        st.execute();
      } catch (const sql::SQLException& e) {
        // The database is the last line: Redis let us hold a seat that an
        // active ticket has (the cache was lost and rebuilt mid-sale).
        if (is_duplicate_key(e, "uq_active_seat")) {
          seat_clash = true;
          return conflict("seat " + seat_label(seat) + " is already taken");
        }
        throw;
      }
    }
    auto& pay = db->prepare(kInsertPayment);
    pay.setUInt64(1, t.id);
    pay.setString(2, format_money(t.amount));
    pay.setString(3, t.currency);
    pay.execute();
    std::string labels;
    for (const Seat& seat : t.seats) labels += (labels.empty() ? "" : " ") + seat_label(seat);
    record_audit(*db, ctx.actor(), {action::kHeld, concert.id, t.id, t.code, "seats " + labels});
    // A hold whose ticket is not in MySQL is released kOrphanHoldGraceMs
    // after its deadline: a transaction slower than that must not commit a
    // ticket whose seats may be sold to someone else in Redis meanwhile.
    if (wall_clock_ms() > redis_deadline + kOrphanHoldGraceMs / 2)
      return unavailable("MySQL at " + db->endpoint() +
                         " was too slow: the hold ran out before the sale was written");
    return {};
  });
  if (!s.ok()) {
    // Nothing was written: give the seats back. Should this fail too, the
    // hold runs out at its deadline and the daemon releases it.
    (void)release_seats(ctx, concert.id, Zone::kBuy, t.code, t.seat_indexes, seat_event::kReleased);
    // Redis showed free a seat that MySQL has: repair that drift now (the
    // repair changes only seats still as they were seen).
    if (seat_clash) (void)reconcile(ctx, concert, true);
    return std::move(s).error();
  }
  failpoint("buy-after-commit");
  t.customer_name = customer.name;
  t.customer_age = customer.age;
  t.customer_gender = customer.gender;
  t.customer_last4 = customer.id_number.substr(customer.id_number.size() - 4);
  return t;
}

}  // namespace ticket
