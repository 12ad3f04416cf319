// The ticket rows that operations lock and change inside their transaction.
#pragma once

#include <optional>
#include <string>

#include "db.h"
#include "ticket/tickets.h"

namespace ticket {

// Inside Db::transaction (these throw like the driver):

// Locks the ticket's row and loads it; nullopt when there is no such code,
// kInternal when its row holds a value that is not one.
Result<std::optional<Ticket>> lock_ticket(Db& db, const std::string& code);

// PROCESS or SUCCESS -> FAIL with `reason` for the ticket and its seats,
// with an audit row of `action`. False when it had already failed.
bool fail_ticket(Db& db, const std::string& actor, const Ticket& ticket, FailReason reason,
                 const char* action, const std::string& detail);

}  // namespace ticket
