// Values read back from MySQL that its column types should keep valid: the
// ticket's zone, status and failure reason, and DECIMAL amounts. One that
// does not read is something the code never writes, so it is kInternal,
// never a default. Internal to libticket; these throw like the driver.
#pragma once

#include "db.h"
#include "ticket/money.h"
#include "ticket/ticket_state.h"

namespace ticket {

Result<Zone> stored_zone(sql::ResultSet& rs, int column);
Result<TicketStatus> stored_status(sql::ResultSet& rs, int column);
// NULL and '' are kNone.
Result<FailReason> stored_reason(sql::ResultSet& rs, int column);
Result<Cents> stored_money(sql::ResultSet& rs, int column);
// A concert's status column: true for OPEN.
Result<bool> stored_concert_open(sql::ResultSet& rs, int column);

}  // namespace ticket
