#include "active_seats.h"

#include "stored_values.h"
#include "ticket_rows.h"

namespace ticket {
namespace {

// Every active seat of a concert with its ticket; PROCESS rows carry the
// hold deadline in milliseconds.
constexpr const char* kActiveSeats =
    "SELECT s.zone, s.seat_row, s.seat_number, t.code, t.status,"
    " CAST(UNIX_TIMESTAMP(t.hold_expires_at) * 1000 AS SIGNED)"
    " FROM TICKET_SEATS s JOIN TICKETS t ON t.id = s.ticket_id"
    " WHERE s.concert_id = ? AND s.active = 1";

}  // namespace

Result<std::vector<ActiveSeat>> load_active_seats(Db& db, const Concert& concert) {
  return db.transaction<std::vector<ActiveSeat>>([&]() -> Result<std::vector<ActiveSeat>> {
    std::vector<ActiveSeat> out;
    auto& stmt = db.prepare(kActiveSeats);
    stmt.setUInt64(1, concert.id);
    ResultSetPtr rs = db.query(stmt);
    while (rs->next()) {
      ActiveSeat a;
      TL_ASSIGN_OR_RETURN(const Seat seat, ticket_rows::read_seat(*rs, 1));
      a.zone = seat.zone;
      a.index = seat_index(seat, concert.layout);
      if (a.index < 0 || a.index >= concert.layout.seats(a.zone)) continue;
      a.code = rs->getString(4);
      TL_ASSIGN_OR_RETURN(const TicketStatus status, stored_status(*rs, 5));
      a.paid_hold = a.zone == Zone::kBuy && status == TicketStatus::kProcess;
      a.deadline = rs->isNull(6) ? 0 : rs->getInt64(6);
      out.push_back(std::move(a));
    }
    return out;
  });
}

}  // namespace ticket
