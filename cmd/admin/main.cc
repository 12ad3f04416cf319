// tl-admin: schema, concerts, seeding and the operator's view.
#include "admin/commands.h"

int main(int argc, char** argv) {
  ticket::cli::Tool tool("tl-admin", "Administer TicketLemon: schema, concerts, seeding, tickets.");
  tool.add_actor_flag();
  tool.app().require_subcommand(1);
  ticket::cli::add_db_commands(tool);
  ticket::cli::add_concert_commands(tool);
  ticket::cli::add_seed_command(tool);
  ticket::cli::add_count_command(tool);
  ticket::cli::add_reconcile_command(tool);
  ticket::cli::add_tickets_command(tool);
  ticket::cli::add_stats_command(tool);
  ticket::cli::add_application_commands(tool);
  ticket::cli::add_cancel_command(tool);
  ticket::cli::add_audit_command(tool);
  ticket::cli::add_mock_data_command(tool);
  ticket::cli::add_keys_commands(tool);
  ticket::cli::add_checkin_command(tool);
  ticket::cli::add_report_command(tool);
  ticket::cli::add_payment_commands(tool);
  return tool.run(argc, argv);
}
