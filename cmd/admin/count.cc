// tl-admin count [--concert C]
#include "admin/commands.h"
#include "common/table.h"
#include "ticket/concerts.h"
#include "ticket/stats.h"

namespace ticket::cli {

void add_count_command(Tool& tool) {
  auto concert = std::make_shared<std::string>();
  CLI::App* count = tool.app().add_subcommand("count", "Count tickets by status and zone");
  count->add_option("--concert", *concert, "Only this concert (id or slug)")->type_name("C");
  count->callback([&tool, concert, count] {
    const bool one = count->count("--concert") > 0;
    tool.set_action([concert, one](Context& ctx, Output& out) -> Status {
      std::optional<uint64_t> id;
      if (one) {
        TL_ASSIGN_OR_RETURN(Concert c, find_concert(ctx, *concert));
        id = c.id;
      }
      TL_ASSIGN_OR_RETURN(TicketCounts counts, count_tickets(ctx, id));
      nlohmann::json by_status = nlohmann::json::object();
      std::map<Zone, int64_t> zone_total;
      Table t({"STATUS", "BUY", "FREE", "TOTAL"});
      for (TicketStatus status : kTicketStatuses) {
        const std::string name(status_name(status));
        const auto& z = counts.by_status_zone.at(status);
        const int64_t total = z.at(Zone::kBuy) + z.at(Zone::kFree);
        by_status[name] = total;
        for (Zone zone : kZones) zone_total[zone] += z.at(zone);
        t.add({name, std::to_string(z.at(Zone::kBuy)), std::to_string(z.at(Zone::kFree)),
               std::to_string(total)});
      }
      t.add({"total", std::to_string(zone_total[Zone::kBuy]),
             std::to_string(zone_total[Zone::kFree]), std::to_string(counts.total)});
      nlohmann::json by_zone = nlohmann::json::object();
      for (Zone zone : kZones) by_zone[std::string(zone_name(zone))] = zone_total[zone];
      nlohmann::json failed_by_reason = nlohmann::json::object();
      for (const auto& [reason, n] : counts.failed_by_reason)
        failed_by_reason[std::string(reason_name(reason))] = n;
      out.json = {{"total", counts.total},
                  {"by_status", by_status},
                  {"by_zone", by_zone},
                  {"failed_by_reason", failed_by_reason}};
      if (id) out.json["concert_id"] = *id;
      out.text = t.str();
      out.quiet = std::to_string(counts.total);
      return {};
    });
  });
}

}  // namespace ticket::cli
