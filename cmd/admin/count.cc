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
      nlohmann::json by_zone = {{"BUY", 0}, {"FREE", 0}};
      Table t({"STATUS", "BUY", "FREE", "TOTAL"});
      for (const char* status : {"PROCESS", "SUCCESS", "FAIL"}) {
        const auto& z = counts.by_status_zone[status];
        const int64_t total = z.at("BUY") + z.at("FREE");
        by_status[status] = total;
        by_zone["BUY"] = by_zone["BUY"].get<int64_t>() + z.at("BUY");
        by_zone["FREE"] = by_zone["FREE"].get<int64_t>() + z.at("FREE");
        t.add({status, std::to_string(z.at("BUY")), std::to_string(z.at("FREE")), std::to_string(total)});
      }
      t.add({"total", std::to_string(by_zone["BUY"].get<int64_t>()), std::to_string(by_zone["FREE"].get<int64_t>()),
             std::to_string(counts.total)});
      out.json = {{"total", counts.total},
                  {"by_status", by_status},
                  {"by_zone", by_zone},
                  {"failed_by_reason", counts.failed_by_reason}};
      if (id) out.json["concert_id"] = *id;
      out.text = t.str();
      out.quiet = std::to_string(counts.total);
      return {};
    });
  });
}

}  // namespace ticket::cli
