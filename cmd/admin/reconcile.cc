// tl-admin reconcile [--concert C | --all] [--repair]
#include "ticket/reconcile.h"
#include "admin/commands.h"
#include "common/table.h"

namespace ticket::cli {
namespace {

struct Flags {
  std::string concert;
  bool all = false;
  bool repair = false;
};

std::string labels(const std::vector<Seat>& seats, nlohmann::json& arr) {
  std::string text;
  for (const Seat& s : seats) {
    arr.push_back(seat_label(s));
    text += (text.empty() ? "" : " ") + seat_label(s);
  }
  return text.empty() ? "-" : text;
}

}  // namespace

void add_reconcile_command(Tool& tool) {
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = tool.app().add_subcommand(
      "reconcile",
      "Compare the Redis seat maps with MySQL; with --repair, fix what differs (safe during a sale)");
  cmd->add_option("--concert", f->concert, "Only this concert (id or slug)")->type_name("C");
  cmd->add_flag("--all", f->all, "Every concert");
  cmd->add_flag("--repair", f->repair,
                "Fix the seats found: mark missing ones taken, free leaked ones");
  cmd->callback([&tool, f, cmd] {
    const bool one = cmd->count("--concert") > 0;
    tool.set_action([f, one](Context& ctx, Output& out) -> Status {
      if (one == f->all)
        return invalid("give --concert C or --all (see tl-admin reconcile --help)");
      std::vector<Concert> concerts;
      if (one) {
        TL_ASSIGN_OR_RETURN(Concert c, find_concert(ctx, f->concert));
        concerts.push_back(std::move(c));
      } else {
        TL_ASSIGN_OR_RETURN(concerts, list_concerts(ctx));
      }
      nlohmann::json arr = nlohmann::json::array();
      Table t({"ID", "SLUG", "MISSING", "LEAKED", "REPAIRED"});
      int unrepaired = 0, drifted = 0;
      for (const Concert& c : concerts) {
        TL_ASSIGN_OR_RETURN(ReconcileReport r, reconcile(ctx, c, f->repair));
        nlohmann::json missing = nlohmann::json::array(), leaked = nlohmann::json::array();
        const std::string m = labels(r.missing, missing), l = labels(r.leaked, leaked);
        arr.push_back({{"id", c.id},
                       {"slug", c.slug},
                       {"missing", missing},
                       {"leaked", leaked},
                       {"repaired", r.repaired}});
        if (r.drift()) {
          ++drifted;
          if (!r.repaired) ++unrepaired;
        }
        t.add({std::to_string(c.id), c.slug, m, l, r.drift() ? (r.repaired ? "yes" : "no") : "-"});
      }
      out.json = {{"concerts", arr}};
      out.text = t.str() + "\n" +
                 (drifted == 0      ? "No drift: Redis agrees with MySQL."
                  : unrepaired == 0 ? std::to_string(drifted) + " concert(s) had drift; repaired."
                                    : std::to_string(unrepaired) + " concert(s) have drift" +
                                          (f->repair ? " that could not be repaired; run again"
                                                     : "; repair with --repair") +
                                          ".");
      out.quiet = std::to_string(unrepaired);
      if (unrepaired > 0) out.exit_code = static_cast<int>(ErrorKind::kDrift);
      return {};
    });
  });
}

}  // namespace ticket::cli
