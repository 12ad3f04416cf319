// The files holding ticketlemond's credentials: the MySQL and Redis password
// files and the secret file, as last read. SIGHUP reads them again and says
// which changed; their contents are never logged.
#pragma once

#include <string>
#include <vector>

#include "ticket/config.h"
#include "ticket/error.h"

namespace ticketlemond {

struct Credentials {
  std::string mysql_password;  // empty when none is read from a file
  std::string redis_password;
  std::string secret;
  std::string api_token;  // [daemon] api_token_file; empty when none is set
};

// Reads and checks the files that `config` names: a password given by the
// environment or an empty password_file is not read. kConfig naming the file
// (never its contents) when one is missing, open to others, empty or, for
// the secret, weak, or the API token shorter than 32 characters or not of
// A-Z a-z 0-9 - . _ ~ + / =. Without an API token, a [daemon] listen
// address that is not loopback is kConfig too: the read API would be open
// to the network.
ticket::Result<Credentials> read_credentials(const ticket::Config& config);

// One line for each file whose contents changed between two readings, e.g.
// "[mysql] password_file /etc/ticketlemon/mysql.password: contents changed".
std::vector<std::string> credential_changes(const ticket::Config& config, const Credentials& before,
                                            const Credentials& after);

}  // namespace ticketlemond
