// How tickets are read from MySQL: one row of TL_TICKET_COLUMNS is one
// Ticket, in every statement that reads tickets. Internal to libticket;
// these throw like the driver.
#pragma once

#include "db.h"
#include "ticket/tickets.h"

namespace ticket::ticket_rows {

// The columns read_ticket expects, in order: the ticket t, its customer c,
// its concert k and its payment p, joined by TL_TICKET_JOINS after
// "FROM TICKETS t" (macros so that statements stay single string literals).
// The holder's name, age and gender are the ticket's own, as given when it
// was bought or applied for; only the masked security number comes from the
// customer.
#define TL_TICKET_COLUMNS                                                                   \
  "t.id, t.code, t.concert_id, t.zone, t.status, t.reason, t.amount, t.currency,"           \
  " CAST(UNIX_TIMESTAMP(t.hold_expires_at) * 1000 AS SIGNED),"                              \
  " COALESCE(t.hold_expires_at < NOW(3), 0), t.holder_name, t.holder_age, t.holder_gender," \
  " c.id_last4, COALESCE(p.platform, ''), COALESCE(p.reference, ''),"                       \
  " CAST(UNIX_TIMESTAMP(p.paid_at) * 1000 AS SIGNED),"                                      \
  " CAST(UNIX_TIMESTAMP(t.created_at) * 1000 AS SIGNED),"                                   \
  " k.seat_rows, k.seats_per_row, k.free_seats"
#define TL_TICKET_JOINS                                                              \
  " JOIN CUSTOMERS c ON c.id = t.customer_id JOIN CONCERTS k ON k.id = t.concert_id" \
  " LEFT JOIN TICKETS_APPLY_BUY p ON p.ticket_id = t.id"

// How many columns TL_TICKET_COLUMNS has; a statement's own columns follow.
inline constexpr int kColumns = 21;

// A ticket without its seats, and the layout of its concert to place them.
struct TicketRow {
  Ticket ticket;
  Layout layout;
};

// The row's ticket; kInternal when a column holds a value that is not one
// (an unknown status, a malformed amount).
Result<TicketRow> read_ticket(sql::ResultSet& rs);

// The seat in columns first, first + 1 and first + 2 (zone, seat_row,
// seat_number of TICKET_SEATS); kInternal for an unknown zone.
Result<Seat> read_seat(sql::ResultSet& rs, int first);

// Adds `seat` and its index in `layout` to the ticket.
void add_seat(Ticket& ticket, const Seat& seat, const Layout& layout);

}  // namespace ticket::ticket_rows
