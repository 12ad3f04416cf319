// The part of the audit log that runs inside a caller's transaction.
#pragma once

#include <string>

#include "db.h"
#include "ticket/audit.h"

namespace ticket {

// Inserts one row; call inside Db::transaction (throws like the driver).
void record_audit(Db& db, const std::string& actor, const AuditEvent& event);

}  // namespace ticket
