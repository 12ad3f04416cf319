// Configuration (docs/design.md §1.4): a TOML file, environment overrides, flag overrides.
//
// The file is the first of: the --config path, $TL_CONFIG, ./ticketlemon.toml,
// $XDG_CONFIG_HOME/ticketlemon/ticketlemon.toml (default ~/.config),
// /etc/ticketlemon/ticketlemon.toml. With none of them present the built-in
// defaults apply. Every key can be overridden by TL_<SECTION>_<KEY>; a flag
// override beats the environment, which beats the file, which beats the
// default. Errors are kConfig and name the file, the line and the key.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ticket/error.h"

namespace ticket {

struct MysqlConfig {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user = "ticketlemon";
  std::string password_file = "/etc/ticketlemon/mysql.password";
  std::string database = "ticketlemon";
  int connect_timeout_ms = 5000;
  // From TL_MYSQL_PASSWORD; when set, password_file is not read.
  std::optional<std::string> password;
};

struct RedisConfig {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password_file;
  int db = 0;
  std::string key_prefix = "tl";
  int connect_timeout_ms = 3000;
  int command_timeout_ms = 5000;
  // Seed nodes of a Redis Cluster, "HOST:PORT" comma-separated (a TOML array
  // in the file). Empty: the one server at host:port.
  std::string cluster_nodes;
  std::optional<std::string> password;  // from TL_REDIS_PASSWORD
};

struct SecurityConfig {
  std::string secret_file = "/etc/ticketlemon/secret";
};

struct DaemonConfig {
  std::string listen = "127.0.0.1:9464";
  // The bearer token of the read API (first line, mode 0600); without it the
  // API is served on loopback addresses only.
  std::string api_token_file;
  int max_connections = 10000;
  // Origins besides the page's own whose pages may open the live feed,
  // comma-separated ("https://box.example.com, https://ops.example.com").
  std::string allowed_origins;
  int reconcile_interval_s = 60;
  int sweep_interval_s = 5;
  int max_nap_ms = 250;
  int expire_batch = 500;
};

struct LogConfig {
  std::string level = "info";
};

// Keys of the passes (ticket/passes.h).
struct PassesConfig {
  std::string signing_key_file;  // KEY-ID.key: PEM Ed25519 private key, mode 0600
  std::string verify_keys_file;  // one "KEY-ID PUBLIC-KEY" line per key that verifies
};

// A payment provider that posts its events to ticketlemond
// (`[[payments.provider]]`, docs/design.md §12).
struct PaymentProvider {
  std::string name;         // in the path: POST /api/v1/payments/{name}
  std::string platform;     // QRCODE, DIRECT or PAYPLAT: what its payments count as
  std::string secret_file;  // its HMAC secret (first line), mode 0600
};

struct PaymentsConfig {
  std::vector<PaymentProvider> providers;
};

struct Config {
  MysqlConfig mysql;
  RedisConfig redis;
  SecurityConfig security;
  DaemonConfig daemon;
  LogConfig log;
  PassesConfig passes;
  PaymentsConfig payments;
  // The file the configuration came from, or empty for built-in defaults.
  std::string source;
};

// A value given by a command-line flag, e.g. {"daemon.listen", "0.0.0.0:9464", "--listen"}.
struct ConfigOverride {
  std::string key;
  std::string value;
  std::string origin;
};

struct ConfigRequest {
  std::optional<std::string> path;         // --config
  std::map<std::string, std::string> env;  // the environment to read
  std::vector<ConfigOverride> overrides;   // flags, applied last
};

// The process environment as a map, for ConfigRequest::env.
std::map<std::string, std::string> process_environment();

// Finds, reads, checks and merges the configuration.
Result<Config> load_config(const ConfigRequest& request);

// Human descriptions of the keys whose values differ, e.g.
// "[daemon] reconcile_interval_s: 60 -> 30". Secrets are never shown.
std::vector<std::string> config_changes(const Config& before, const Config& after);

// Reads a password from a file that only its owner may read: its first
// line, without the line's CR/LF; the rest of the file is ignored. A first
// line that is empty or only blanks is refused (kConfig). `what` names the
// password in errors ("MySQL password").
Result<std::string> read_secret_file(const std::string& path, const std::string& what);

// Reads a file that only its owner may read or write, of at most `limit`
// bytes; kConfig naming `what` and the file otherwise.
Result<std::string> read_owner_only_file(const std::string& path, const std::string& what,
                                         size_t limit);

// Reads the secret of [security] secret_file, a file that only its owner may
// read: the whole file without trailing CR/LF. Refused (kConfig, naming the
// file, never the value) when it is weak. Strong enough means at least 10
// distinct bytes and an estimated 128 bits or more. The estimate is the
// length of the shortest pattern that repeats to make the secret, times the
// bits a character of its alphabet can carry: 4 for hexadecimal digits, 6
// for base64 characters, 6.5 for other printable ASCII, 8 otherwise.
// `openssl rand -hex 32` (64 hex digits, 256 bits) passes; 16 spaces, one
// character repeated or "abab..." do not.
Result<std::string> read_secret(const std::string& path);

// An HTTP listen address: an IPv4 literal, a bracketed IPv6 literal or a
// host name, a colon and a port of 1 to 65535 in decimal digits:
// "127.0.0.1:9464", "[::1]:9464", "localhost:9464".
struct ListenAddress {
  std::string host;      // without the brackets of an IPv6 literal
  bool literal = false;  // an IPv4 or IPv6 address rather than a host name
  int port = 0;
};

// nullopt unless `text` is exactly such an address.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

// Whether a listen address is on this machine only: 127.x.y.z, [::1] or
// localhost.
bool is_loopback_listen(std::string_view listen);

// The items of a comma-separated list ([daemon] allowed_origins, [redis]
// cluster_nodes), trimmed, empty items dropped.
std::vector<std::string> split_list(std::string_view text);

}  // namespace ticket
