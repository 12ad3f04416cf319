#include "credentials.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace ticketlemond {

ticket::Result<Credentials> read_credentials(const ticket::Config& config) {
  Credentials c;
  if (!config.mysql.password && !config.mysql.password_file.empty()) {
    TL_ASSIGN_OR_RETURN(c.mysql_password,
                        ticket::read_secret_file(config.mysql.password_file, "MySQL password"));
  }
  if (!config.redis.password && !config.redis.password_file.empty()) {
    TL_ASSIGN_OR_RETURN(c.redis_password,
                        ticket::read_secret_file(config.redis.password_file, "Redis password"));
  }
  TL_ASSIGN_OR_RETURN(c.secret, ticket::read_secret(config.security.secret_file));
  const std::string& token_file = config.daemon.api_token_file;
  if (token_file.empty()) {
    if (!ticket::is_loopback_listen(config.daemon.listen))
      return ticket::config_error(
          "[daemon] listen " + config.daemon.listen +
          " is not a loopback address and [daemon] api_token_file is not set: the read API and "
          "the dashboard would be open to anyone who can reach it; set api_token_file (see "
          "ticketlemond(8))");
    return c;
  }
  TL_ASSIGN_OR_RETURN(c.api_token, ticket::read_secret_file(token_file, "API token"));
  const bool token_chars = std::all_of(c.api_token.begin(), c.api_token.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) ||
           std::string_view("-._~+/=").find(ch) != std::string_view::npos;
  });
  if (c.api_token.size() < 32 || !token_chars)
    return ticket::config_error("[daemon] api_token_file " + token_file +
                                ": the token must be at least 32 of A-Z a-z 0-9 - . _ ~ + / = "
                                "(e.g. made by: openssl rand -hex 32)");
  return c;
}

std::vector<std::string> credential_changes(const ticket::Config& config, const Credentials& before,
                                            const Credentials& after) {
  std::vector<std::string> out;
  const auto compare = [&](const std::string& a, const std::string& b, const std::string& key,
                           const std::string& path) {
    if (a != b) out.push_back(key + " " + path + ": contents changed");
  };
  compare(before.mysql_password, after.mysql_password, "[mysql] password_file",
          config.mysql.password_file);
  compare(before.redis_password, after.redis_password, "[redis] password_file",
          config.redis.password_file);
  compare(before.secret, after.secret, "[security] secret_file", config.security.secret_file);
  compare(before.api_token, after.api_token, "[daemon] api_token_file",
          config.daemon.api_token_file);
  return out;
}

}  // namespace ticketlemond
