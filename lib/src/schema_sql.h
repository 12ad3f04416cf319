// The schema statements that run on an open connection.
#pragma once

#include "db.h"
#include "ticket/error.h"
#include "ticket/schema.h"

namespace ticket {

// Drops every TicketLemon table, SCHEMA_VERSION first, so that a drop cut
// short leaves a database that reads as having no schema. The caller
// migrates again.
Status drop_schema(Db& db);

// kConfig unless the database holds exactly the newest version this build
// knows and every table of it; the message says what was found and what to do. A table the
// account has no rights on is not reported.
Status check_schema(Db& db);

}  // namespace ticket
