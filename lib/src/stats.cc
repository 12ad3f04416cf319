#include "ticket/stats.h"

namespace ticket {
namespace {

constexpr const char* kCount =
    "SELECT status, zone, COALESCE(reason, ''), COUNT(*) FROM TICKETS"
    " WHERE (? IS NULL OR concert_id = ?) GROUP BY status, zone, reason";

}  // namespace

Result<TicketCounts> count_tickets(Context& ctx, std::optional<uint64_t> concert_id) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<TicketCounts>([&]() -> Result<TicketCounts> {
    auto& stmt = db->prepare(kCount);
    if (concert_id) {
      stmt.setUInt64(1, *concert_id);
      stmt.setUInt64(2, *concert_id);
    } else {
      stmt.setNull(1, 0);
      stmt.setNull(2, 0);
    }
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

}  // namespace ticket
