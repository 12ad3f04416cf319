// Why a TCP connection fails, for error messages: the MySQL client library
// reports a non-blocking connect as "(115)" and hides the real cause.
#pragma once

#include <string>

namespace ticket {

// Connects to host:port and closes again. Returns "" when the connection
// succeeds, otherwise the reason ("Connection refused", "Connection timed
// out", "unknown host").
std::string tcp_probe(const std::string& host, int port, int timeout_ms);

}  // namespace ticket
