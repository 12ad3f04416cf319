#include "active_seats.h"

#include "seat_map_scripts.h"
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

constexpr const char* kActiveSeatsOfRow =
    "SELECT s.zone, s.seat_row, s.seat_number, t.code, t.status,"
    " CAST(UNIX_TIMESTAMP(t.hold_expires_at) * 1000 AS SIGNED)"
    " FROM TICKET_SEATS s JOIN TICKETS t ON t.id = s.ticket_id"
    " WHERE s.concert_id = ? AND s.zone = ? AND s.seat_row = ? AND s.active = 1";

// The same seats alone, read from uq_active_seat without touching a row.
constexpr const char* kTakenSeats =
    "SELECT zone, seat_row, seat_number FROM TICKET_SEATS WHERE concert_id = ? AND active = 1";

constexpr const char* kActiveCodes =
    "SELECT code FROM TICKETS WHERE concert_id = ? AND status <> 'FAIL'";

// The seat's index, or -1 when it lies outside the layout.
int index_in_layout(const Seat& seat, const Layout& layout) {
  const int index = seat_index(seat, layout);
  return index >= 0 && index < layout.seats(seat.zone) ? index : -1;
}

// Adds the rows of kActiveSeats or kActiveSeatsOfRow to `out`.
Status read_active_seats(sql::ResultSet& rs, const Layout& layout, std::vector<ActiveSeat>& out) {
  while (rs.next()) {
    ActiveSeat a;
    TL_ASSIGN_OR_RETURN(const Seat seat, ticket_rows::read_seat(rs, 1));
    a.zone = seat.zone;
    a.index = index_in_layout(seat, layout);
    if (a.index < 0) continue;
    a.code = rs.getString(4);
    TL_ASSIGN_OR_RETURN(const TicketStatus status, stored_status(rs, 5));
    a.paid_hold = a.zone == Zone::kBuy && status == TicketStatus::kProcess;
    a.deadline = rs.isNull(6) ? 0 : rs.getInt64(6);
    out.push_back(std::move(a));
  }
  return {};
}

}  // namespace

Result<std::vector<ActiveSeat>> load_active_seats(Db& db, const Concert& concert) {
  return db.transaction<std::vector<ActiveSeat>>([&]() -> Result<std::vector<ActiveSeat>> {
    std::vector<ActiveSeat> out;
    auto& stmt = db.prepare(kActiveSeats);
    stmt.setUInt64(1, concert.id);
    ResultSetPtr rs = db.query(stmt);
    TL_TRY(read_active_seats(*rs, concert.layout, out));
    return out;
  });
}

Result<std::vector<ActiveSeat>> load_active_seats(Db& db, const Concert& concert,
                                                  const std::set<std::pair<Zone, int>>& rows) {
  if (rows.size() > kRowsOneByOne) return load_active_seats(db, concert);
  return db.transaction<std::vector<ActiveSeat>>([&]() -> Result<std::vector<ActiveSeat>> {
    std::vector<ActiveSeat> out;
    for (const auto& [zone, row] : rows) {
      auto& stmt = db.prepare(kActiveSeatsOfRow);
      stmt.setUInt64(1, concert.id);
      stmt.setString(2, std::string(zone_name(zone)));
      stmt.setUInt(3, static_cast<unsigned>(row));
      ResultSetPtr rs = db.query(stmt);
      TL_TRY(read_active_seats(*rs, concert.layout, out));
    }
    return out;
  });
}

TakenSeats::TakenSeats(const Layout& layout)
    : buy_bits(static_cast<size_t>((layout.paid_seats() + 7) / 8), '\0'),
      free_bits(static_cast<size_t>((layout.free_seats + 7) / 8), '\0') {}

void TakenSeats::add(Zone zone, int index) {
  set_bit(zone == Zone::kBuy ? buy_bits : free_bits, index);
}

Result<TakenSeats> load_taken_seats(Db& db, const Concert& concert, bool codes) {
  return db.transaction<TakenSeats>([&]() -> Result<TakenSeats> {
    TakenSeats out(concert.layout);
    if (codes) {
      auto& stmt = db.prepare(kActiveCodes);
      stmt.setUInt64(1, concert.id);
      ResultSetPtr rs = db.query(stmt);
      while (rs->next()) out.codes.insert(std::string(rs->getString(1)));
    }
    auto& stmt = db.prepare(kTakenSeats);
    stmt.setUInt64(1, concert.id);
    ResultSetPtr rs = db.query(stmt);
    while (rs->next()) {
      TL_ASSIGN_OR_RETURN(const Seat seat, ticket_rows::read_seat(*rs, 1));
      const int index = index_in_layout(seat, concert.layout);
      if (index >= 0) out.add(seat.zone, index);
    }
    return out;
  });
}

}  // namespace ticket
