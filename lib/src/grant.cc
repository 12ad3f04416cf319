#include "ticket/grant.h"

#include <cppconn/exception.h>

#include "audit_sql.h"
#include "concert_rows.h"
#include "ticket/audit.h"
#include "ticket/seat_map_writes.h"
#include "ticket/text.h"
#include "tickets_sql.h"

namespace ticket {
namespace {

// The lowest n in 1..free_seats that no active seat of the concert's free
// zone has: 1, or one past an active seat, whichever is lowest and free.
// Reads the unique index over active seats.
constexpr const char* kLowestFreeSeat =
    "SELECT MIN(c.n) FROM ("
    " SELECT 1 AS n UNION ALL"
    " SELECT seat_number + 1 FROM TICKET_SEATS WHERE concert_id = ? AND zone = 'FREE' AND active = "
    "1"
    ") c WHERE c.n <= ? AND NOT EXISTS ("
    " SELECT 1 FROM TICKET_SEATS s WHERE s.concert_id = ? AND s.zone = 'FREE' AND s.seat_row = 0"
    " AND s.seat_number = c.n AND s.active = 1)";
constexpr const char* kInsertSeat =
    "INSERT INTO TICKET_SEATS (ticket_id, concert_id, zone, seat_row, seat_number, status)"
    " VALUES (?, ?, 'FREE', 0, ?, 'SUCCESS')";
constexpr const char* kSucceedTicket =
    "UPDATE TICKETS SET status = 'SUCCESS', updated_at = NOW(3) WHERE id = ? AND status = "
    "'PROCESS'";
constexpr const char* kDecide =
    "UPDATE TICKETS_APPLY_FREE SET decided_by = ?, decided_at = NOW(3) WHERE ticket_id = ?";

// How often a grant is tried again when the unique index refused its seat.
constexpr int kSeatClashAttempts = 5;

Status check_application(const Ticket& t) {
  if (t.zone != Zone::kFree)
    return conflict("ticket " + t.code + " is a paid ticket, not a free-seat application");
  if (t.status == TicketStatus::kSuccess)
    return conflict("application " + t.code + " was already granted seat " +
                    (t.seats.empty() ? std::string("-") : seat_label(t.seats.front())));
  if (t.status == TicketStatus::kFail)
    return conflict("application " + t.code + " was " + to_lower(reason_name(t.reason)) +
                    "; it cannot be granted");
  return {};
}

}  // namespace

Result<Ticket> grant(Context& ctx, std::string_view text) {
  TL_ASSIGN_OR_RETURN(std::string code, parse_ticket_code(text));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());

  Ticket t;
  for (int attempt = 1;; ++attempt) {
    bool clash = false;
    Status s = db->transaction([&]() -> Status {
      TL_ASSIGN_OR_RETURN(std::optional<Ticket> locked, lock_ticket(*db, code));
      if (!locked) return not_found("no ticket " + code);
      t = std::move(*locked);
      TL_TRY(check_application(t));
      // The concert's row lock puts the grants of one concert in a line, so
      // each sees the seats the previous one assigned.
      TL_ASSIGN_OR_RETURN(Concert concert,
                          concert_rows::load(*db, std::to_string(t.concert_id), true));
      auto& lowest = db->prepare(kLowestFreeSeat);
      lowest.setUInt64(1, concert.id);
      lowest.setInt(2, concert.layout.free_seats);
      lowest.setUInt64(3, concert.id);
      ResultSetPtr rs = db->query(lowest);
      if (!rs->next() || rs->isNull(1))
        return conflict("no free seat left in concert " + concert.slug);
      const Seat seat{Zone::kFree, 0, rs->getInt(1)};

      auto& ins = db->prepare(kInsertSeat);
      ins.setUInt64(1, t.id);
      ins.setUInt64(2, concert.id);
      ins.setInt(3, seat.number);
      try {
        ins.execute();
      } catch (const sql::SQLException& e) {
        if (is_duplicate_key(e, "uq_active_seat")) {
          clash = true;
          return conflict("seat " + seat_label(seat) + " of concert " + concert.slug +
                          " is already taken");
        }
        throw;
      }
      auto& ok = db->prepare(kSucceedTicket);
      ok.setUInt64(1, t.id);
      ok.execute();
      auto& decide = db->prepare(kDecide);
      decide.setString(1, ctx.actor());
      decide.setUInt64(2, t.id);
      decide.execute();
      record_audit(*db, ctx.actor(),
                   {action::kGranted, concert.id, t.id, t.code, "seat " + seat_label(seat)});
      t.status = TicketStatus::kSuccess;
      t.seats = {seat};
      t.seat_indexes = {seat.number - 1};
      return {};
    });
    if (s.ok()) break;
    if (!clash || attempt == kSeatClashAttempts) return std::move(s).error();
  }

  // Free seats are assigned here, in MySQL, never from the cache, so a missed
  // update only leaves the map showing the seat free until the next rebuild
  // or reconcile; it cannot give the seat away twice.
  (void)confirm_seats(ctx, t.concert_id, Zone::kFree, t.code, t.seat_indexes, seat_event::kGranted);
  return t;
}

}  // namespace ticket
