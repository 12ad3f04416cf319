// A Redis connection (hiredis) with Lua scripts called by SHA.
//
// One Redis per thread. A lost connection is reported as kUnavailable and
// re-opened by the next call, so a long-running caller (the daemon) survives
// a Redis restart without rebuilding its objects.
#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ticket/config.h"
#include "ticket/error.h"

namespace ticket {

struct RedisReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

// A Lua script kept as text and known to Redis by its SHA-1.
class Script {
 public:
  Script(std::string name, std::string_view body);
  const std::string& name() const { return name_; }
  std::string_view body() const { return body_; }
  const std::string& sha() const { return sha_; }

 private:
  std::string name_;
  std::string_view body_;
  std::string sha_;
};

class Redis {
 public:
  // Connects, authenticates and selects the configured database.
  static Result<std::unique_ptr<Redis>> connect(const RedisConfig& config);
  ~Redis();
  Redis(const Redis&) = delete;
  Redis& operator=(const Redis&) = delete;

  // One command, one round trip. An error reply is an Error.
  Result<RedisReply> command(const std::vector<std::string>& argv);

  // EVALSHA, falling back to EVAL (which also loads it) when Redis answers
  // NOSCRIPT, e.g. after a restart or SCRIPT FLUSH. One round trip normally.
  Result<RedisReply> eval(const Script& script, const std::vector<std::string>& keys,
                          const std::vector<std::string>& args);

  // The raw context, for SUBSCRIBE loops. Null when not connected.
  redisContext* context() { return ctx_.get(); }

  const std::string& endpoint() const { return endpoint_; }
  const RedisConfig& config() const { return config_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  Redis(RedisConfig config, std::string password);
  Status open();
  Status ensure_connected();
  Error lost(const std::string& what);
  // The Error for an error reply that refuses the connection rather than
  // the command: kConfig for a missing or wrong password or an ACL denial,
  // kUnavailable for a server loading, busy, out of memory, read-only or
  // full of clients. Nothing for other error replies.
  std::optional<Error> refusal(const redisReply* reply, std::string_view command) const;
  Result<RedisReply> command_argv(const std::vector<std::string_view>& argv);

  RedisConfig config_;
  std::string password_;
  std::string endpoint_;
  std::unique_ptr<redisContext, ContextDeleter> ctx_;
};

// Reply helpers. A string reply's text ("" for other types).
std::string reply_string(const redisReply* r);
// An integer reply's value, or a string reply that is a whole number (as
// Redis gives scores). Anything else is kInternal: never a silent 0.
Result<long long> reply_integer(const redisReply* r);
// "the text 'abc'", "a list of 3", "nil": a reply for an error message.
std::string describe_reply(const redisReply* r);

}  // namespace ticket
