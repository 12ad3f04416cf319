// tl-admin db migrate | db reset --yes
#include "admin/commands.h"
#include "ticket/db_reset.h"
#include "ticket/schema.h"

namespace ticket::cli {
namespace {

std::string versions(const std::vector<int>& list) {
  std::string out;
  for (int v : list) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return out;
}

void report(const MigrationReport& r, Output& out) {
  out.json = {{"schema_version", r.to_version},
              {"previous_version", r.from_version},
              {"applied", r.applied},
              {"recreated", r.recreated},
              {"recreated_procedures", r.recreated_procedures}};
  if (!r.recreated.empty()) {
    std::string tables;
    for (const auto& t : r.recreated) tables += (tables.empty() ? "" : ", ") + t;
    out.text = "Recreated missing tables, empty: " + tables + ".\n";
  }
  if (!r.recreated_procedures.empty()) {
    std::string names;
    for (const auto& p : r.recreated_procedures) names += (names.empty() ? "" : ", ") + p;
    out.text += "Recreated missing procedures: " + names + ".\n";
  }
  if (r.applied.empty()) {
    out.text += "Schema is up to date at version " + std::to_string(r.to_version) + ".";
  } else {
    out.text += "Schema migrated from version " + std::to_string(r.from_version) + " to " +
                std::to_string(r.to_version) + " (applied " + versions(r.applied) + ").";
  }
}

}  // namespace

void add_db_commands(Tool& tool) {
  CLI::App* db = tool.app().add_subcommand("db", "Create, upgrade or reset the MySQL schema");
  db->require_subcommand(1);

  CLI::App* migrate_cmd = db->add_subcommand(
      "migrate",
      "Create the database if needed and apply every migration it lacks (safe to repeat)");
  migrate_cmd->callback([&tool] {
    tool.set_action([](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(MigrationReport r, migrate(ctx.config().mysql));
      report(r, out);
      return {};
    });
  });

  struct ResetFlags {
    bool yes = false;
    ResetOptions options;
  };
  auto f = std::make_shared<ResetFlags>();
  CLI::App* reset = db->add_subcommand(
      "reset", "Drop every TicketLemon table and seat map, then migrate again: all data is lost");
  reset->add_flag("--yes", f->yes,
                  "Confirm that every concert, ticket and audit entry is to be deleted");
  reset->add_flag("--delete-sold-tickets", f->options.delete_sold_tickets,
                  "Also when paid or granted tickets, or tickets still in progress, would be "
                  "deleted (refused otherwise)");
  reset->callback([&tool, f] {
    tool.set_action([f](Context& ctx, Output& out) -> Status {
      if (!f->yes)
        return invalid(
            "db reset deletes every concert, ticket and audit entry; add --yes to confirm");
      TL_ASSIGN_OR_RETURN(ResetReport r, reset_database(ctx, f->options));
      report(r.migration, out);
      out.json["reset"] = true;
      out.json["deleted"] = {{"tickets", r.tickets}, {"paid", r.paid}, {"granted", r.granted}};
      out.text = "Dropped all TicketLemon data: " + std::to_string(r.tickets) +
                 " tickets, of them " + std::to_string(r.paid) + " paid and " +
                 std::to_string(r.granted) + " granted. " + out.text;
      return {};
    });
  });
}

}  // namespace ticket::cli
