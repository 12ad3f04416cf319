// Failpoints for fault tests: with TL_FAILPOINT=<name> in the environment,
// the process kills itself (SIGKILL) when it reaches the step of that name,
// as a crash or `kill -9` would, leaving whatever was half done.
//
// Steps: buy-after-hold (Redis hold made, MySQL not yet written),
// buy-after-commit, pay-after-commit (paid in MySQL, Redis not yet told),
// expire-after-commit (expired in MySQL, seats not yet released),
// reset-mid-drop (db reset: the schema version and half the tables dropped).
#pragma once

namespace ticket {

void failpoint(const char* name);

// With TL_FAILPOINT=<name>, true at the step of that name: the step then
// fails as if the system had refused it, for failures a test cannot provoke
// otherwise. Steps: random-bytes (the cryptographic random generator gives
// no bytes); buy-commit-unsent and buy-commit-unanswered (the connection to
// MySQL is lost with the buy's COMMIT, before it reaches the server or after
// the server committed).
bool failpoint_refuses(const char* name);

}  // namespace ticket
