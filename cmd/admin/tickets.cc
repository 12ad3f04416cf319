// tl-admin tickets [--concert C] [--status S] [--zone Z] [--page P] [--limit L] [--format F]
#include "admin/commands.h"
#include "admin/listing_output.h"

namespace ticket::cli {

void add_tickets_command(Tool& tool) {
  struct Flags {
    std::string concert, status, zone;
    PageFlags page;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = tool.app().add_subcommand(
      "tickets", "List tickets, filtered, page by page, as a table, JSON or CSV");
  cmd->add_option("--concert", f->concert, "Only this concert (id or slug)")->type_name("C");
  cmd->add_option("--status", f->status, "Only this status: PROCESS, SUCCESS or FAIL")
      ->type_name("S");
  cmd->add_option("--zone", f->zone, "Only this zone: BUY or FREE")->type_name("Z");
  add_page_flags(cmd, f->page);
  cmd->callback([&tool, f, cmd] {
    TicketFilter filter;
    if (cmd->count("--concert") > 0) filter.concert = f->concert;
    if (cmd->count("--status") > 0) filter.status = f->status;
    if (cmd->count("--zone") > 0) filter.zone = f->zone;
    apply_page_flags(cmd, f->page, filter);
    tool.set_action([&tool, f, cmd, filter](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(ListingFormat format, listing_format(tool, cmd, f->page));
      TL_ASSIGN_OR_RETURN(TicketPage page, list_tickets(ctx, filter));
      render_page(page, format, false, out);
      return {};
    });
  });
}

}  // namespace ticket::cli
