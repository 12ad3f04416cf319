// JSON shapes of SPEC §6 and their human counterparts, shared by the tools.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ticket/concerts.h"

namespace ticket::cli {

// {"id","slug","name","rows","seats_per_row","free_seats","price","currency",
//  "hold_seconds","max_seats_per_ticket", ...}
nlohmann::json concert_json(const Concert& c);

// "Key: value" lines for one concert.
std::string concert_text(const Concert& c);

}  // namespace ticket::cli
