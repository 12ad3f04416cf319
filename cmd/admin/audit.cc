// tl-admin audit [--ticket CODE | --concert C] [--limit N]
#include "ticket/audit.h"
#include "admin/commands.h"
#include "common/table.h"
#include "ticket/concerts.h"
#include "ticket/text.h"
#include "ticket/tickets.h"

namespace ticket::cli {

void add_audit_command(Tool& tool) {
  struct Flags {
    std::string ticket, concert, limit;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      tool.app().add_subcommand("audit", "Show the history of changes: who did what, when");
  cmd->add_option("--ticket", f->ticket, "Only the events of this ticket (its code)")
      ->type_name("CODE");
  cmd->add_option("--concert", f->concert, "Only the events of this concert (id or slug)")
      ->type_name("C");
  cmd->add_option("--limit", f->limit, "Show the newest N events, 1 to 10000 (default 100)")
      ->type_name("N");
  cmd->callback([&tool, f, cmd] {
    const bool by_ticket = cmd->count("--ticket") > 0, by_concert = cmd->count("--concert") > 0,
               limited = cmd->count("--limit") > 0;
    tool.set_action([f, by_ticket, by_concert, limited](Context& ctx, Output& out) -> Status {
      if (by_ticket && by_concert) return invalid("give --ticket or --concert, not both");
      AuditQuery q;
      if (limited) {
        const auto n = parse_int(f->limit, 1, 10000);
        if (!n)
          return invalid("--limit must be a whole number from 1 to 10000, got " + quote(f->limit));
        q.limit = static_cast<int>(*n);
      }
      if (by_ticket) {
        TL_ASSIGN_OR_RETURN(q.ticket_code, parse_ticket_code(f->ticket));
      }
      if (by_concert) {
        TL_ASSIGN_OR_RETURN(Concert c, find_concert(ctx, f->concert));
        q.concert_id = c.id;
      }
      TL_ASSIGN_OR_RETURN(auto events, list_audit(ctx, q));
      nlohmann::json arr = nlohmann::json::array();
      Table t({"AT", "ACTOR", "ACTION", "TICKET", "DETAIL"});
      for (const AuditEntry& e : events) {
        arr.push_back(
            {{"at", format_iso8601(e.at)},
             {"actor", e.actor},
             {"action", e.action},
             {"ticket",
              e.ticket_code.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.ticket_code)},
             {"concert_id", e.concert_id ? nlohmann::json(*e.concert_id) : nlohmann::json(nullptr)},
             {"detail", e.detail}});
        t.add({format_iso8601(e.at), e.actor, e.action, e.ticket_code.empty() ? "-" : e.ticket_code,
               e.detail.empty() ? "-" : e.detail});
      }
      out.json = {{"events", arr}};
      out.text = events.empty() ? "No events." : t.str();
      out.quiet = std::to_string(events.size());
      return {};
    });
  });
}

}  // namespace ticket::cli
