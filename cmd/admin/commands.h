// tl-admin's subcommands, one group per file; each adds itself to the tool.
#pragma once

#include "common/tool.h"

namespace ticket::cli {

void add_db_commands(Tool& tool);
void add_concert_commands(Tool& tool);
void add_seed_command(Tool& tool);
void add_count_command(Tool& tool);
void add_reconcile_command(Tool& tool);
void add_tickets_command(Tool& tool);
void add_application_commands(Tool& tool);
void add_stats_command(Tool& tool);
void add_cancel_command(Tool& tool);
void add_audit_command(Tool& tool);
void add_mock_data_command(Tool& tool);
void add_keys_commands(Tool& tool);
void add_checkin_command(Tool& tool);
void add_report_command(Tool& tool);
void add_payment_commands(Tool& tool);

}  // namespace ticket::cli
