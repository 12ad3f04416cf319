#include "ticket/db_reset.h"

#include "audit_sql.h"
#include "schema_sql.h"
#include "ticket/audit.h"
#include "ticket/seat_map.h"
#include "ticket_removal.h"

namespace ticket {

Result<ResetReport> reset_database(Context& ctx, const ResetOptions& options) {
  TL_ASSIGN_OR_RETURN(auto db, Db::connect(ctx.config().mysql));
  TL_ASSIGN_OR_RETURN(auto removals, db->transaction<std::vector<TicketRemoval>>([&]() {
    return tickets_to_remove(*db, std::nullopt, false);
  }));
  const std::string sold = describe_sold(removals);
  if (!sold.empty() && !options.delete_sold_tickets)
    return conflict("db reset would delete " + sold + "; add --delete-sold-tickets to delete them");
  // Money due back or under review is never dropped without the flag.
  TL_ASSIGN_OR_RETURN(const int64_t owed, db->transaction<int64_t>([&]() -> Result<int64_t> {
    ResultSetPtr has =
        db->query(db->prepare("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                              "DATABASE() AND TABLE_NAME = 'PAYMENTS'"));
    if (!has->next() || has->getInt64(1) == 0) return int64_t{0};
    ResultSetPtr rs = db->query(
        db->prepare("SELECT COUNT(*) FROM PAYMENTS WHERE state IN ('REFUND_DUE', 'REVIEW')"));
    return rs->next() ? rs->getInt64(1) : 0;
  }));
  if (owed > 0 && !options.delete_sold_tickets)
    return conflict("db reset would delete " + std::to_string(owed) + " payment" +
                    (owed == 1 ? "" : "s") +
                    " due back or under review (tl-admin payments); add --delete-sold-tickets "
                    "to delete them");
  // A DROP waits for the transactions that use its table and then drops what
  // they committed: a ticket still in progress could be paid or granted
  // after the count above and be dropped unannounced. Without the flag the
  // reset therefore needs a database where nothing is still being decided.
  int64_t in_progress = 0;
  for (const auto& r : removals) {
    const auto it = r.by_status.find(TicketStatus::kProcess);
    if (it != r.by_status.end()) in_progress += it->second;
  }
  if (in_progress > 0 && !options.delete_sold_tickets)
    return conflict("db reset would delete " + std::to_string(in_progress) + " ticket" +
                    (in_progress == 1 ? "" : "s") +
                    " still in progress, which could be paid or granted while the tables are "
                    "dropped; wait until they are paid, expired or decided, or add "
                    "--delete-sold-tickets");

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
