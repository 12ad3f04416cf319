#include "credentials.h"

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
  return out;
}

}  // namespace ticketlemond
