#include "ticket/stats.h"

#include <cmath>

#include "concert_filter.h"
#include "ticket/concerts.h"
#include "db.h"

namespace ticket {
namespace {

constexpr const char* kCount =
    "SELECT status, zone, COALESCE(reason, ''), COUNT(*) FROM TICKETS"
    " WHERE (? IS NULL OR concert_id = ?) GROUP BY status, zone, reason";

// Seats and money of one concert by the status of their tickets.
constexpr const char* kSeatTotals =
    "SELECT t.zone, t.status, COALESCE(t.reason, ''), COUNT(*) FROM TICKET_SEATS s"
    " JOIN TICKETS t ON t.id = s.ticket_id WHERE s.concert_id = ? GROUP BY t.zone, t.status, t.reason";
constexpr const char* kTicketTotals =
    "SELECT zone, status, COALESCE(reason, ''), COUNT(*), COALESCE(SUM(amount), 0) FROM TICKETS"
    " WHERE concert_id = ? GROUP BY zone, status, reason";

double percent(int64_t part, int64_t whole) {
  return std::round(1000.0 * static_cast<double>(part) / static_cast<double>(whole)) / 10.0;
}

}  // namespace

Result<TicketCounts> count_tickets(Context& ctx, std::optional<uint64_t> concert_id) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<TicketCounts>([&]() -> Result<TicketCounts> {
    auto& stmt = db->prepare(kCount);
    bind_concert_filter(stmt, concert_id);
    TicketCounts counts;
    for (const char* status : {"PROCESS", "SUCCESS", "FAIL"}) {
      for (const char* zone : {"BUY", "FREE"}) counts.by_status_zone[status][zone] = 0;
    }
    for (const char* reason : {"EXPIRED", "REJECTED", "CANCELLED"}) counts.failed_by_reason[reason] = 0;
    ResultSetPtr rs = db->query(stmt);
    while (rs->next()) {
      const int64_t n = rs->getInt64(4);
      counts.by_status_zone[rs->getString(1)][rs->getString(2)] += n;
      const std::string reason = rs->getString(3);
      if (!reason.empty()) counts.failed_by_reason[reason] += n;
      counts.total += n;
    }
    return counts;
  });
}

Result<SaleStats> sale_stats(Context& ctx, std::string_view concert_text) {
  TL_ASSIGN_OR_RETURN(Concert concert, find_concert(ctx, concert_text));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  SaleStats base;
  base.concert_id = concert.id;
  base.slug = concert.slug;
  base.currency = concert.currency;
  base.seats = concert.layout.paid_seats() + concert.layout.free_seats;
  SaleStats st;
  TL_TRY(db->transaction([&]() -> Status {
    st = base;  // the body runs again after a deadlock
    auto& seats = db->prepare(kSeatTotals);
    seats.setUInt64(1, concert.id);
    ResultSetPtr rs = db->query(seats);
    while (rs->next()) {
      const std::string zone = rs->getString(1), status = rs->getString(2), reason = rs->getString(3);
      const int64_t n = rs->getInt64(4);
      if (zone == "BUY") {
        if (status == "SUCCESS") st.sold += n;
        if (status == "PROCESS") st.held += n;
        if (reason == "EXPIRED") st.expired += n;
        if (reason == "CANCELLED") st.cancelled += n;
      } else if (status == "SUCCESS") {
        st.free_granted += n;
      }
    }
    auto& tickets = db->prepare(kTicketTotals);
    tickets.setUInt64(1, concert.id);
    rs = db->query(tickets);
    while (rs->next()) {
      const std::string zone = rs->getString(1), status = rs->getString(2), reason = rs->getString(3);
      if (zone == "FREE" && status == "PROCESS") st.free_pending += rs->getInt64(4);
      if (zone == "FREE" && reason == "REJECTED") st.free_rejected += rs->getInt64(4);
      if (zone == "BUY" && status == "SUCCESS") {
        TL_ASSIGN_OR_RETURN(Cents amount, parse_money(std::string(rs->getString(5))));
        st.revenue += amount;
      }
    }
    return {};
  }));
  st.fill_percent = st.seats > 0 ? percent(st.sold + st.free_granted, st.seats) : 0;
  const int64_t tried = st.sold + st.expired + st.held;
  if (tried > 0) st.conversion_percent = percent(st.sold, tried);
  return st;
}

}  // namespace ticket
