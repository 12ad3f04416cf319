// tl-admin db migrate | db reset --yes
#include "admin/commands.h"
#include "ticket/schema.h"
#include "ticket/seat_map.h"

namespace ticket::cli {
namespace {

std::string versions(const std::vector<int>& list) {
  std::string out;
  for (int v : list) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return out;
}

void report(const MigrationReport& r, Output& out) {
  out.json = {{"schema_version", r.to_version}, {"previous_version", r.from_version}, {"applied", r.applied}};
  if (r.applied.empty()) {
    out.text = "Schema is up to date at version " + std::to_string(r.to_version) + ".";
  } else {
    out.text = "Schema migrated from version " + std::to_string(r.from_version) + " to " +
               std::to_string(r.to_version) + " (applied " + versions(r.applied) + ").";
  }
}

}  // namespace

void add_db_commands(Tool& tool) {
  CLI::App* db = tool.app().add_subcommand("db", "Create, upgrade or reset the MySQL schema");
  db->require_subcommand(1);

  CLI::App* migrate_cmd = db->add_subcommand(
      "migrate", "Create the database if needed and apply every migration it lacks (safe to repeat)");
  migrate_cmd->callback([&tool] {
    tool.set_action([](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(MigrationReport r, migrate(ctx.config().mysql));
      report(r, out);
      return {};
    });
  });

  auto yes = std::make_shared<bool>(false);
  CLI::App* reset = db->add_subcommand(
      "reset", "Drop every TicketLemon table and seat map, then migrate again: all data is lost");
  reset->add_flag("--yes", *yes, "Confirm that every concert, ticket and audit entry is to be deleted");
  reset->callback([&tool, yes] {
    tool.set_action([yes](Context& ctx, Output& out) -> Status {
      if (!*yes) return invalid("db reset deletes every concert, ticket and audit entry; add --yes to confirm");
      TL_ASSIGN_OR_RETURN(auto server, Db::connect(ctx.config().mysql));
      TL_TRY(drop_schema(*server));
      TL_TRY(drop_all_seat_maps(ctx));
      TL_ASSIGN_OR_RETURN(MigrationReport r, migrate(ctx.config().mysql));
      report(r, out);
      out.json["reset"] = true;
      out.text = "Dropped all TicketLemon data. " + out.text;
      return {};
    });
  });
}

}  // namespace ticket::cli
