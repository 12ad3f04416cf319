#include "ticket/listing.h"

#include "concert_rows.h"
#include "db.h"
#include "ticket/text.h"
#include "ticket_rows.h"

namespace ticket {
namespace {

// The filter of both statements; NULL parameters mean "any".
#define TL_TICKET_FILTER \
  "(? IS NULL OR concert_id = ?) AND (? IS NULL OR status = ?) AND (? IS NULL OR zone = ?)"

constexpr const char* kCount = "SELECT COUNT(*) FROM TICKETS WHERE " TL_TICKET_FILTER;

// One row per ticket and seat (a ticket without seats gives one row with
// NULL seat columns), the page chosen first in a derived table. After the
// ticket's columns come those of kApplication, then kSeat's.
constexpr const char* kPage =
    "SELECT " TL_TICKET_COLUMNS
    ","
    " f.ticket_id IS NOT NULL, f.answer1, f.answer2, f.answer3, COALESCE(f.decided_by, ''),"
    " CAST(UNIX_TIMESTAMP(f.decided_at) * 1000 AS SIGNED), COALESCE(f.note, ''),"
    " s.zone, s.seat_row, s.seat_number"
    " FROM (SELECT id FROM TICKETS WHERE " TL_TICKET_FILTER
    " ORDER BY id LIMIT ? OFFSET ?) pg"
    " JOIN TICKETS t ON t.id = pg.id" TL_TICKET_JOINS
    " LEFT JOIN TICKETS_APPLY_FREE f ON f.ticket_id = t.id"
    " LEFT JOIN TICKET_SEATS s ON s.ticket_id = t.id"
    " ORDER BY t.id, s.seat_row, s.seat_number";
constexpr int kApplication = ticket_rows::kColumns + 1;
constexpr int kSeat = kApplication + 7;

#undef TL_TICKET_FILTER

struct CheckedFilter {
  std::optional<uint64_t> concert_id;
  std::optional<TicketStatus> status;
  std::optional<Zone> zone;
  int page = 1;
  int limit = kDefaultPageLimit;
};

Result<CheckedFilter> check(Db& db, const TicketFilter& f) {
  CheckedFilter out;
  if (f.status) {
    out.status = parse_status(to_upper(*f.status));
    if (!out.status)
      return invalid("--status must be PROCESS, SUCCESS or FAIL, got " + quote(*f.status));
  }
  if (f.zone) {
    out.zone = parse_zone(to_upper(*f.zone));
    if (!out.zone) return invalid("--zone must be BUY or FREE, got " + quote(*f.zone));
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
  const std::optional<std::string_view> status =
      f.status ? std::optional(status_name(*f.status)) : std::nullopt;
  const std::optional<std::string_view> zone =
      f.zone ? std::optional(zone_name(*f.zone)) : std::nullopt;
  int i = 3;
  for (const auto* v : {&status, &zone}) {
    if (*v) {
      stmt.setString(i, std::string(**v));
      stmt.setString(i + 1, std::string(**v));
    } else {
      stmt.setNull(i, 0);
      stmt.setNull(i + 1, 0);
    }
    i += 2;
  }
}

// The application in the columns from kApplication, if the row has one.
std::optional<Application> read_application(sql::ResultSet& rs) {
  if (rs.getInt(kApplication) == 0) return std::nullopt;
  Application a;
  a.answers = {rs.getString(kApplication + 1), rs.getString(kApplication + 2),
               rs.getString(kApplication + 3)};
  a.decided_by = rs.getString(kApplication + 4);
  if (!rs.isNull(kApplication + 5)) a.decided_at = rs.getInt64(kApplication + 5);
  a.note = rs.getString(kApplication + 6);
  return a;
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
    Layout layout;
    while (rs->next()) {
      if (out.tickets.empty() || out.tickets.back().ticket.id != rs->getUInt64(1)) {
        TL_ASSIGN_OR_RETURN(ticket_rows::TicketRow row, ticket_rows::read_ticket(*rs));
        layout = row.layout;
        out.tickets.push_back({std::move(row.ticket), read_application(*rs)});
      }
      if (rs->isNull(kSeat)) continue;
      TL_ASSIGN_OR_RETURN(const Seat seat, ticket_rows::read_seat(*rs, kSeat));
      ticket_rows::add_seat(out.tickets.back().ticket, seat, layout);
    }
    return out;
  });
}

Result<TicketPage> list_applications(Context& ctx, TicketFilter filter, bool pending) {
  if (!filter.concert) return invalid("give the concert with --concert C");
  if (filter.zone) return invalid("applications are always in the FREE zone; do not give --zone");
  filter.zone = std::string(zone_name(Zone::kFree));
  if (pending) {
    if (filter.status && parse_status(to_upper(*filter.status)) != TicketStatus::kProcess)
      return invalid("--pending lists applications in PROCESS; do not give another --status");
    filter.status = std::string(status_name(TicketStatus::kProcess));
  }
  return list_tickets(ctx, filter);
}

}  // namespace ticket
