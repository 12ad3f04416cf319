#include "ticket/stats.h"

#include <cmath>

#include "concert_filter.h"
#include "db.h"
#include "stored_values.h"
#include "ticket/concerts.h"

namespace ticket {
namespace {

// The statements start with the columns of read_state.
constexpr const char* kCount =
    "SELECT zone, status, reason, COUNT(*) FROM TICKETS"
    " WHERE (? IS NULL OR concert_id = ?) GROUP BY zone, status, reason";

// Seats and money of one concert by the status of their tickets.
constexpr const char* kSeatTotals =
    "SELECT t.zone, t.status, t.reason, COUNT(*) FROM TICKET_SEATS s"
    " JOIN TICKETS t ON t.id = s.ticket_id WHERE s.concert_id = ? GROUP BY t.zone, t.status, t.reason";
constexpr const char* kTicketTotals =
    "SELECT zone, status, reason, COUNT(*), COALESCE(SUM(amount), 0) FROM TICKETS"
    " WHERE concert_id = ? GROUP BY zone, status, reason";

constexpr const char* kCheckedIn = "SELECT COUNT(*) FROM CHECKINS WHERE concert_id = ?";

constexpr const char* kRefundsDue =
    "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM PAYMENTS"
    " WHERE concert_id = ? AND state = 'REFUND_DUE'";

struct State {
  Zone zone = Zone::kBuy;
  TicketStatus status = TicketStatus::kProcess;
  FailReason reason = FailReason::kNone;
};

// Zone, status and reason in columns 1 to 3.
Result<State> read_state(sql::ResultSet& rs) {
  State s;
  TL_ASSIGN_OR_RETURN(s.zone, stored_zone(rs, 1));
  TL_ASSIGN_OR_RETURN(s.status, stored_status(rs, 2));
  TL_ASSIGN_OR_RETURN(s.reason, stored_reason(rs, 3));
  return s;
}

}  // namespace

double percent_of(int64_t part, int64_t whole) {
  if (whole == 0) return 0;
  return std::round(1000.0 * static_cast<double>(part) / static_cast<double>(whole)) / 10.0;
}

Result<TicketCounts> count_tickets(Context& ctx, std::optional<uint64_t> concert_id) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<TicketCounts>([&]() -> Result<TicketCounts> {
    auto& stmt = db->prepare(kCount);
    bind_concert_filter(stmt, concert_id);
    TicketCounts counts;
    for (TicketStatus status : kTicketStatuses) {
      for (Zone zone : kZones) counts.by_status_zone[status][zone] = 0;
    }
    for (FailReason reason : kFailReasons) counts.failed_by_reason[reason] = 0;
    ResultSetPtr rs = db->query(stmt);
    while (rs->next()) {
      TL_ASSIGN_OR_RETURN(const State s, read_state(*rs));
      const int64_t n = rs->getInt64(4);
      counts.by_status_zone[s.status][s.zone] += n;
      if (s.reason != FailReason::kNone) counts.failed_by_reason[s.reason] += n;
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
      TL_ASSIGN_OR_RETURN(const State s, read_state(*rs));
      const int64_t n = rs->getInt64(4);
      if (s.zone == Zone::kBuy) {
        if (s.status == TicketStatus::kSuccess) st.sold += n;
        if (s.status == TicketStatus::kProcess) st.held += n;
        if (s.reason == FailReason::kExpired) st.expired += n;
        if (s.reason == FailReason::kCancelled) st.cancelled += n;
      } else if (s.status == TicketStatus::kSuccess) {
        st.free_granted += n;
      }
    }
    auto& tickets = db->prepare(kTicketTotals);
    tickets.setUInt64(1, concert.id);
    rs = db->query(tickets);
    while (rs->next()) {
      TL_ASSIGN_OR_RETURN(const State s, read_state(*rs));
      const bool free_zone = s.zone == Zone::kFree;
      if (free_zone && s.status == TicketStatus::kProcess) st.free_pending += rs->getInt64(4);
      if (free_zone && s.reason == FailReason::kRejected) st.free_rejected += rs->getInt64(4);
      if (!free_zone && s.status == TicketStatus::kSuccess) {
        TL_ASSIGN_OR_RETURN(Cents amount, stored_money(*rs, 5));
        st.revenue += amount;
      }
    }
    auto& admitted = db->prepare(kCheckedIn);
    admitted.setUInt64(1, concert.id);
    rs = db->query(admitted);
    if (rs->next()) st.checked_in = rs->getInt64(1);
    auto& due = db->prepare(kRefundsDue);
    due.setUInt64(1, concert.id);
    rs = db->query(due);
    if (rs->next()) {
      st.refunds_due = rs->getInt64(1);
      TL_ASSIGN_OR_RETURN(st.refunds_due_amount, stored_money(*rs, 2));
    }
    return {};
  }));
  st.fill_percent = st.seats > 0 ? percent_of(st.sold + st.free_granted, st.seats) : 0;
  const int64_t tried = st.sold + st.expired + st.held;
  if (tried > 0) st.conversion_percent = percent_of(st.sold, tried);
  return st;
}

}  // namespace ticket
