// ticketlemond's event loops (docs/design.md §6). The main thread runs an io_context
// for signals and HTTP; a worker thread runs another whose one timer fires at
// the earliest hold deadline (at most [daemon] max_nap_ms away) and runs the
// engine's passes. Signals only post: SIGTERM/SIGINT let the pass in hand
// finish and stop both loops; SIGHUP reloads the configuration.
#pragma once

#include "credentials.h"
#include "ticket/config.h"

namespace ticketlemond {

// Runs until SIGTERM or SIGINT; returns the process exit code. `request`
// is kept to load the configuration again on SIGHUP, `credentials` (as read
// at the start) to say which of their files SIGHUP finds changed.
// `verbose` keeps debug logging across reloads.
int run_daemon(const ticket::ConfigRequest& request, ticket::Config config, Credentials credentials,
               bool verbose);

}  // namespace ticketlemond
