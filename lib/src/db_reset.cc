#include "ticket/db_reset.h"

#include "ticket/audit.h"
#include "ticket/seat_map.h"
#include "ticket_removal.h"

namespace ticket {

Result<ResetReport> reset_database(Context& ctx, const ResetOptions& options) {
  TL_ASSIGN_OR_RETURN(auto db, Db::connect(ctx.config().mysql));
  TL_ASSIGN_OR_RETURN(auto removals, db->transaction<std::vector<TicketRemoval>>([&]() {
    return Result<std::vector<TicketRemoval>>(tickets_to_remove(*db, std::nullopt, false));
  }));
  const std::string sold = describe_sold(removals);
  if (!sold.empty() && !options.delete_sold_tickets)
    return conflict("db reset would delete " + sold + "; add --delete-sold-tickets to delete them");

  ResetReport report;
  for (const auto& r : removals) {
    report.tickets += r.total;
    report.paid += r.paid;
    report.granted += r.granted;
  }
  report.detail = removal_detail("db reset deleted", removals);
  TL_TRY(drop_schema(*db));
  TL_TRY(drop_all_seat_maps(ctx));
  TL_ASSIGN_OR_RETURN(report.migration, migrate(ctx.config().mysql));
  TL_TRY(db->transaction([&]() -> Status {
    record_audit(*db, ctx.actor(),
                 {action::kDatabaseReset, std::nullopt, std::nullopt, "", report.detail});
    return {};
  }));
  return report;
}

}  // namespace ticket
