#include "ticket_rows.h"

#include "stored_values.h"

namespace ticket::ticket_rows {
namespace {

std::optional<Millis> optional_ms(sql::ResultSet& rs, int column) {
  if (rs.isNull(column)) return std::nullopt;
  return rs.getInt64(column);
}

Status read_state(sql::ResultSet& rs, Ticket& t) {
  TL_ASSIGN_OR_RETURN(t.zone, stored_zone(rs, 4));
  TL_ASSIGN_OR_RETURN(t.status, stored_status(rs, 5));
  TL_ASSIGN_OR_RETURN(t.reason, stored_reason(rs, 6));
  TL_ASSIGN_OR_RETURN(t.amount, stored_money(rs, 7));
  return {};
}

}  // namespace

Result<TicketRow> read_ticket(sql::ResultSet& rs) {
  TicketRow row;
  Ticket& t = row.ticket;
  t.id = rs.getUInt64(1);
  t.code = rs.getString(2);
  t.concert_id = rs.getUInt64(3);
  Status state = read_state(rs, t);
  if (!state.ok()) return state.error().with_context("ticket " + t.code);
  t.currency = rs.getString(8);
  t.hold_expires_at = optional_ms(rs, 9);
  t.past_deadline = rs.getInt(10) != 0;
  t.customer_name = rs.getString(11);
  t.customer_age = rs.getInt(12);
  t.customer_gender = rs.getString(13);
  t.customer_last4 = rs.getString(14);
  t.platform = rs.getString(15);
  t.reference = rs.getString(16);
  t.paid_at = optional_ms(rs, 17);
  t.created_at = rs.getInt64(18);
  row.layout = Layout{rs.getInt(19), rs.getInt(20), rs.getInt(21)};
  return row;
}

Result<Seat> read_seat(sql::ResultSet& rs, int first) {
  TL_ASSIGN_OR_RETURN(const Zone zone, stored_zone(rs, first));
  return Seat{zone, static_cast<int>(rs.getUInt(first + 1)),
              static_cast<int>(rs.getUInt(first + 2))};
}

void add_seat(Ticket& ticket, const Seat& seat, const Layout& layout) {
  ticket.seats.push_back(seat);
  ticket.seat_indexes.push_back(seat_index(seat, layout));
}

}  // namespace ticket::ticket_rows
