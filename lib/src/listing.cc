#include "ticket/listing.h"

#include "concert_rows.h"
#include "ticket/text.h"
#include "db.h"

namespace ticket {
namespace {

// The filter of both statements; NULL parameters mean "any".
#define TL_TICKET_FILTER \
  "(? IS NULL OR concert_id = ?) AND (? IS NULL OR status = ?) AND (? IS NULL OR zone = ?)"

constexpr const char* kCount = "SELECT COUNT(*) FROM TICKETS WHERE " TL_TICKET_FILTER;

// One row per ticket and seat (a ticket without seats gives one row with
// NULL seat columns), the page chosen first in a derived table.
constexpr const char* kPage =
    "SELECT t.id, t.code, t.concert_id, t.zone, t.status, COALESCE(t.reason, ''), t.amount, "
    "t.currency,"
    " CAST(UNIX_TIMESTAMP(t.hold_expires_at) * 1000 AS SIGNED),"
    " t.holder_name, c.id_last4, COALESCE(b.platform, ''), COALESCE(b.reference, ''),"
    " CAST(UNIX_TIMESTAMP(b.paid_at) * 1000 AS SIGNED), CAST(UNIX_TIMESTAMP(t.created_at) * 1000 "
    "AS SIGNED),"
    " k.seat_rows, k.seats_per_row, k.free_seats,"
    " f.ticket_id IS NOT NULL, f.answer1, f.answer2, f.answer3, COALESCE(f.decided_by, ''),"
    " CAST(UNIX_TIMESTAMP(f.decided_at) * 1000 AS SIGNED), COALESCE(f.note, ''),"
    " s.zone, s.seat_row, s.seat_number, t.holder_age, t.holder_gender"
    " FROM (SELECT id FROM TICKETS WHERE " TL_TICKET_FILTER
    " ORDER BY id LIMIT ? OFFSET ?) p"
    " JOIN TICKETS t ON t.id = p.id"
    " JOIN CUSTOMERS c ON c.id = t.customer_id"
    " JOIN CONCERTS k ON k.id = t.concert_id"
    " LEFT JOIN TICKETS_APPLY_BUY b ON b.ticket_id = t.id"
    " LEFT JOIN TICKETS_APPLY_FREE f ON f.ticket_id = t.id"
    " LEFT JOIN TICKET_SEATS s ON s.ticket_id = t.id"
    " ORDER BY t.id, s.seat_row, s.seat_number";

#undef TL_TICKET_FILTER

struct CheckedFilter {
  std::optional<uint64_t> concert_id;
  std::optional<std::string> status;
  std::optional<std::string> zone;
  int page = 1;
  int limit = kDefaultPageLimit;
};

Result<CheckedFilter> check(Db& db, const TicketFilter& f) {
  CheckedFilter out;
  if (f.status) {
    const std::string s = to_upper(*f.status);
    if (s != "PROCESS" && s != "SUCCESS" && s != "FAIL")
      return invalid("--status must be PROCESS, SUCCESS or FAIL, got " + quote(*f.status));
    out.status = s;
  }
  if (f.zone) {
    const std::string z = to_upper(*f.zone);
    if (z != "BUY" && z != "FREE")
      return invalid("--zone must be BUY or FREE, got " + quote(*f.zone));
    out.zone = z;
  }
  if (f.page) {
    const auto p = parse_int(*f.page, 1, 1000000000);
    if (!p) return invalid("--page must be a whole number from 1, got " + quote(*f.page));
    out.page = static_cast<int>(*p);
  }
  if (f.limit) {
    const auto l = parse_int(*f.limit, 1, kMaxPageLimit);
    if (!l)
      return invalid("--limit must be a whole number from 1 to " + std::to_string(kMaxPageLimit) +
                     ", got " + quote(*f.limit));
    out.limit = static_cast<int>(*l);
  }
  if (f.concert) {
    TL_ASSIGN_OR_RETURN(Concert c, concert_rows::load(db, *f.concert, false));
    out.concert_id = c.id;
  }
  return out;
}

void bind_filter(sql::PreparedStatement& stmt, const CheckedFilter& f) {
  if (f.concert_id) {
    stmt.setUInt64(1, *f.concert_id);
    stmt.setUInt64(2, *f.concert_id);
  } else {
    stmt.setNull(1, 0);
    stmt.setNull(2, 0);
  }
  int i = 3;
  for (const auto* v : {&f.status, &f.zone}) {
    if (*v) {
      stmt.setString(i, **v);
      stmt.setString(i + 1, **v);
    } else {
      stmt.setNull(i, 0);
      stmt.setNull(i + 1, 0);
    }
    i += 2;
  }
}

std::optional<Millis> optional_ms(sql::ResultSet& rs, int column) {
  if (rs.isNull(column)) return std::nullopt;
  return rs.getInt64(column);
}

ListedTicket read_ticket(sql::ResultSet& rs) {
  ListedTicket row;
  Ticket& t = row.ticket;
  t.id = rs.getUInt64(1);
  t.code = rs.getString(2);
  t.concert_id = rs.getUInt64(3);
  t.zone = rs.getString(4) == "BUY" ? Zone::kBuy : Zone::kFree;
  t.status = rs.getString(5);
  t.reason = rs.getString(6);
  auto amount = parse_money(std::string(rs.getString(7)));
  t.amount = amount.ok() ? *amount : 0;
  t.currency = rs.getString(8);
  t.hold_expires_at = optional_ms(rs, 9);
  t.customer_name = rs.getString(10);
  t.customer_age = rs.getInt(29);
  t.customer_gender = rs.getString(30);
  t.customer_last4 = rs.getString(11);
  t.platform = rs.getString(12);
  t.reference = rs.getString(13);
  t.paid_at = optional_ms(rs, 14);
  t.created_at = rs.getInt64(15);
  if (rs.getInt(19) != 0) {
    Application a;
    a.answers = {rs.getString(20), rs.getString(21), rs.getString(22)};
    a.decided_by = rs.getString(23);
    a.decided_at = optional_ms(rs, 24);
    a.note = rs.getString(25);
    row.application = std::move(a);
  }
  return row;
}

}  // namespace

Result<TicketPage> list_tickets(Context& ctx, const TicketFilter& filter) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<TicketPage>([&]() -> Result<TicketPage> {
    TL_ASSIGN_OR_RETURN(CheckedFilter f, check(*db, filter));
    TicketPage out;
    out.page = f.page;
    out.limit = f.limit;

    auto& count = db->prepare(kCount);
    bind_filter(count, f);
    ResultSetPtr total = db->query(count);
    total->next();
    out.total = total->getInt64(1);

    auto& page = db->prepare(kPage);
    bind_filter(page, f);
    page.setInt(7, f.limit);
    page.setInt64(8, static_cast<int64_t>(f.page - 1) * f.limit);
    ResultSetPtr rs = db->query(page);
    while (rs->next()) {
      if (out.tickets.empty() || out.tickets.back().ticket.id != rs->getUInt64(1))
        out.tickets.push_back(read_ticket(*rs));
      if (rs->isNull(26)) continue;
      Ticket& t = out.tickets.back().ticket;
      const Layout layout{rs->getInt(16), rs->getInt(17), rs->getInt(18)};
      const Zone zone = rs->getString(26) == "BUY" ? Zone::kBuy : Zone::kFree;
      const Seat seat{zone, static_cast<int>(rs->getUInt(27)), static_cast<int>(rs->getUInt(28))};
      t.seats.push_back(seat);
      t.seat_indexes.push_back(seat_index(seat, layout));
    }
    return out;
  });
}

Result<TicketPage> list_applications(Context& ctx, TicketFilter filter, bool pending) {
  if (!filter.concert) return invalid("give the concert with --concert C");
  if (filter.zone) return invalid("applications are always in the FREE zone; do not give --zone");
  filter.zone = "FREE";
  if (pending) {
    if (filter.status && to_upper(*filter.status) != "PROCESS")
      return invalid("--pending lists applications in PROCESS; do not give another --status");
    filter.status = "PROCESS";
  }
  return list_tickets(ctx, filter);
}

}  // namespace ticket
