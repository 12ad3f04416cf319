#include "ticket/availability.h"
#include "db.h"

namespace ticket {
namespace {

constexpr const char* kPending =
    "SELECT COUNT(*) FROM TICKETS WHERE concert_id = ? AND zone = 'FREE' AND status = 'PROCESS'";

}  // namespace

Result<Availability> availability(Context& ctx, std::string_view concert, bool grid) {
  Availability a;
  TL_ASSIGN_OR_RETURN(a.concert, find_concert(ctx, concert));
  SeatCounts counts;
  if (grid) {
    TL_ASSIGN_OR_RETURN(a.grid, read_seat_grid(ctx, a.concert));
    counts = a.grid.counts;
  } else {
    TL_ASSIGN_OR_RETURN(counts, read_seat_counts(ctx, a.concert));
  }
  a.buy_total = a.concert.layout.paid_seats();
  a.buy_held = counts.held;
  a.buy_sold = counts.buy_taken - counts.held;
  a.buy_free = a.buy_total - counts.buy_taken;
  a.free_total = a.concert.layout.free_seats;
  a.free_granted = counts.free_taken;
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  TL_ASSIGN_OR_RETURN(a.free_pending, db->transaction<int64_t>([&]() -> Result<int64_t> {
    auto& stmt = db->prepare(kPending);
    stmt.setUInt64(1, a.concert.id);
    ResultSetPtr rs = db->query(stmt);
    rs->next();
    return static_cast<int64_t>(rs->getInt64(1));
  }));
  return a;
}

}  // namespace ticket
