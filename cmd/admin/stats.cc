// tl-admin stats --concert C
#include <cstdio>

#include "admin/commands.h"
#include "common/table.h"
#include "ticket/stats.h"

namespace ticket::cli {
namespace {

std::string one_decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// "1 seat", "2 seats".
std::string seats(int64_t n) { return std::to_string(n) + (n == 1 ? " seat" : " seats"); }

}  // namespace

void add_stats_command(Tool& tool) {
  auto concert = std::make_shared<std::string>();
  CLI::App* cmd =
      tool.app().add_subcommand("stats",
                                "Show the sale of a concert: sold, held, expired, free seats, "
                                "revenue, refunds due, fill and conversion");
  cmd->add_option("--concert", *concert, "The concert (id or slug)")->type_name("C")->required();
  cmd->callback([&tool, concert] {
    tool.set_action([concert](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(SaleStats s, sale_stats(ctx, *concert));
      const auto conversion =
          s.conversion_percent ? nlohmann::json(*s.conversion_percent) : nlohmann::json(nullptr);
      out.json = {{"concert_id", s.concert_id},
                  {"slug", s.slug},
                  {"sold", s.sold},
                  {"held", s.held},
                  {"expired", s.expired},
                  {"cancelled", s.cancelled},
                  {"free_granted", s.free_granted},
                  {"free_pending", s.free_pending},
                  {"free_rejected", s.free_rejected},
                  {"seats", s.seats},
                  {"checked_in", s.checked_in},
                  {"revenue", format_money(s.revenue)},
                  {"refunds_due", s.refunds_due},
                  {"refunds_due_amount", format_money(s.refunds_due_amount)},
                  {"currency", s.currency},
                  {"fill_percent", s.fill_percent},
                  {"conversion_percent", conversion}};
      Fields f;
      f.add("Concert", std::to_string(s.concert_id) + " " + s.slug);
      f.add("Sold", seats(s.sold));
      f.add("Held", seats(s.held) + ", not yet paid");
      f.add("Expired", seats(s.expired) + " whose hold ran out");
      f.add("Cancelled", seats(s.cancelled) + " of the paid zone");
      f.add("Free seats", std::to_string(s.free_granted) +
                              " granted; applications: " + std::to_string(s.free_pending) +
                              " pending, " + std::to_string(s.free_rejected) + " rejected");
      f.add("Revenue", format_money(s.revenue) + " " + s.currency);
      f.add("Refunds due", std::to_string(s.refunds_due) +
                               (s.refunds_due == 1 ? " payment, " : " payments, ") +
                               format_money(s.refunds_due_amount) + " " + s.currency +
                               " to give back (tl-admin refund)");
      f.add("Checked in", std::to_string(s.checked_in) + " admitted at a gate");
      f.add("Fill", one_decimal(s.fill_percent) + "% of " + seats(s.seats) + " sold or granted");
      f.add("Conversion", s.conversion_percent
                              ? one_decimal(*s.conversion_percent) + "% of held seats paid"
                              : std::string("-"));
      out.text = f.str();
      out.quiet = format_money(s.revenue);
      return {};
    });
  });
}

}  // namespace ticket::cli
