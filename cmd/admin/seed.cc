// tl-admin seed FILE.toml [--reset [--delete-sold-tickets]]
#include "ticket/seed.h"
#include "admin/commands.h"
#include "common/render.h"
#include "common/table.h"

namespace ticket::cli {

void add_seed_command(Tool& tool) {
  struct Flags {
    std::string file;
    SeedOptions options;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* seed_cmd = tool.app().add_subcommand(
      "seed", "Create or update concerts from a TOML file, matched by slug (safe to repeat)");
  seed_cmd->add_option("FILE", f->file, "Seed file with one [[concert]] table per concert")
      ->type_name("")
      ->required();
  seed_cmd->add_flag(
      "--reset", f->options.reset,
      "Delete the tickets of the file's existing concerts first (paid or granted ones only with "
      "--delete-sold-tickets)");
  seed_cmd
      ->add_flag("--delete-sold-tickets", f->options.delete_sold_tickets,
                 "With --reset, also delete paid and granted tickets (refused otherwise)")
      ->needs("--reset");
  seed_cmd->callback([&tool, f] {
    tool.set_action([f](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(auto concerts, read_seed_file(f->file));
      TL_ASSIGN_OR_RETURN(auto outcomes, seed(ctx, concerts, f->options));
      nlohmann::json arr = nlohmann::json::array();
      Table t({"ID", "SLUG", "ACTION", "CHANGES"});
      for (const auto& o : outcomes) {
        nlohmann::json j = concert_json(o.concert);
        j["action"] = std::string(seed_action_name(o.action));
        j["changes"] = o.changes;
        j["reset"] = o.reset;
        arr.push_back(j);
        std::string changes;
        for (const auto& c : o.changes) changes += (changes.empty() ? "" : "; ") + c;
        std::string action(seed_action_name(o.action));
        if (o.reset) action += ", reset";
        t.add({std::to_string(o.concert.id), o.concert.slug, action,
               changes.empty() ? "-" : changes});
      }
      out.json = {{"concerts", arr}};
      out.text = t.str();
      return {};
    });
  });
}

}  // namespace ticket::cli
