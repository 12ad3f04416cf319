// What every operation needs: the configuration, the connections (opened on
// first use) and who is acting. One Context per thread; nothing global.
#pragma once

#include <memory>
#include <string>

#include "ticket/config.h"
#include "ticket/error.h"

namespace ticket {

// The connections stay inside the library (lib/src/db.h, lib/src/redis.h).
class Db;
class Redis;

class Context {
 public:
  explicit Context(Config config);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const Config& config() const { return config_; }

  // The MySQL connection, opened on first use. The first use also checks the
  // schema version (kConfig when the database is not at this build's version).
  Result<Db*> db();

  // The Redis connection, opened on first use.
  Result<Redis*> redis();

  // Whether Redis (every master of a cluster) answers a PING, opening the
  // connections if needed.
  Status ping_redis();

  // The secret from [security] secret_file, read on first use and refused
  // when weak (read_secret). Keys the HMAC of customer security numbers.
  Result<std::string> secret();

  // Who is acting, for AUDIT_LOG: the OS user unless set (--actor).
  const std::string& actor() const { return actor_; }
  Status set_actor(const std::string& actor);

 private:
  Config config_;
  std::string actor_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<Redis> redis_;
  std::string secret_;
};

}  // namespace ticket
