// The JSON shapes of the tools' man pages and their human counterparts, shared by the tools.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ticket/availability.h"
#include "ticket/concerts.h"
#include "ticket/tickets.h"

namespace ticket::cli {

// {"id","slug","name","rows","seats_per_row","free_seats","price","currency",
//  "hold_seconds","max_seats_per_ticket", ...}
nlohmann::json concert_json(const Concert& c);

// {"concert":{"id","slug","name"},"buy":{"total","free","held","sold"},
//  "free_zone":{"total","granted","pending"}}: tl-status --concert C --json.
nlohmann::json availability_json(const Availability& a);

// "Key: value" lines for one concert.
std::string concert_text(const Concert& c);

// {"code","concert_id","zone","status","reason","seats":["A1",...],"amount",
//  "currency","hold_expires_at", ...}
nlohmann::json ticket_json(const Ticket& t);

// "Key: value" lines for one ticket; the customer masked (name and the last
// 4 characters of the security number).
std::string ticket_text(const Ticket& t);

// "A12 A13".
std::string seat_list(const Ticket& t);

}  // namespace ticket::cli
