// tl-admin's subcommands, one group per file; each adds itself to the tool.
#pragma once

#include "common/tool.h"

namespace ticket::cli {

void add_db_commands(Tool& tool);
void add_concert_commands(Tool& tool);
void add_seed_command(Tool& tool);
void add_count_command(Tool& tool);
void add_reconcile_command(Tool& tool);

}  // namespace ticket::cli
