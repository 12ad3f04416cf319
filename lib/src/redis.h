// Redis (hiredis): one server, or a Redis Cluster through a slot router
// (docs/design.md §14), with Lua scripts called by SHA.
//
// One Redis per thread. A lost connection is reported as kUnavailable and
// re-opened by the next call, so a long-running caller (the daemon) survives
// a Redis restart or a cluster failover without rebuilding its objects.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <map>
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
  Script(std::string name, std::string body);
  const std::string& name() const { return name_; }
  const std::string& body() const { return body_; }
  const std::string& sha() const { return sha_; }

 private:
  std::string name_;
  std::string body_;
  std::string sha_;
};

// One connection to one server: connects, authenticates and selects the
// configured database, again after a lost connection.
class RedisNode {
 public:
  RedisNode(const RedisConfig& config, std::string host, int port, std::string password);
  ~RedisNode();
  RedisNode(const RedisNode&) = delete;
  RedisNode& operator=(const RedisNode&) = delete;

  // Opens the connection when it is closed, or was closed by the server
  // while idle.
  Status ensure_connected();
  bool connected() const;

  // One command; an error reply is returned as a reply, for the caller to
  // read (a cluster's redirections). `asking` sends ASKING before it. A
  // script's EVALSHA falls back to EVAL (which also loads it) when Redis
  // answers NOSCRIPT, e.g. after a restart, a failover or SCRIPT FLUSH.
  Result<RedisReply> exchange(const std::vector<std::string_view>& argv, bool asking,
                              const Script* script);

  // An error reply as an Error: kConfig for a missing or wrong password or
  // an ACL denial, kUnavailable for a server loading, busy, out of memory,
  // read-only or full of clients, kInternal otherwise. `what` names the
  // command or script.
  Error failure(const redisReply* reply, std::string_view what) const;

  // The raw context, for a subscription's loop. Null when not connected.
  redisContext* context() { return ctx_.get(); }
  const std::string& endpoint() const { return endpoint_; }
  void disconnect() { ctx_.reset(); }

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  Status open();
  bool closed_while_idle() const;
  Error lost(const std::string& what);
  Result<RedisReply> send(const std::vector<std::string_view>& argv, bool asking);
  std::optional<Error> refusal(const redisReply* reply, std::string_view command) const;

  RedisConfig config_;
  std::string host_;
  int port_;
  std::string password_;
  std::string endpoint_;
  std::unique_ptr<redisContext, ContextDeleter> ctx_;
};

class Redis {
 public:
  // One server, or, with [redis] cluster_nodes, the cluster those seed
  // nodes belong to (its slot map read at once).
  static Result<std::unique_ptr<Redis>> connect(const RedisConfig& config);
  ~Redis();
  Redis(const Redis&) = delete;
  Redis& operator=(const Redis&) = delete;

  // One command, on the node serving its key (argv[1]; the channel of
  // PUBSUB SHARDNUMSUB; any node for a command without a key). An error
  // reply is an Error.
  Result<RedisReply> command(const std::vector<std::string>& argv);

  // A script on the node serving its first key; one round trip normally.
  Result<RedisReply> eval(const Script& script, const std::vector<std::string>& keys,
                          const std::vector<std::string>& args);

  // The masters, connected: the one server when not a cluster. For what
  // spans every key: SCAN, a flush, a health check.
  Result<std::vector<RedisNode*>> masters();

  // A connection of its own, subscribed to `channel` (SSUBSCRIBE, on the
  // master serving the channel's slot, on a cluster; SUBSCRIBE otherwise).
  Result<std::unique_ptr<RedisNode>> subscribe(const std::string& channel);

  // The address of the server holding `key`: the one server, or the
  // master serving the key's slot.
  Result<std::pair<std::string, int>> address_of(std::string_view key);

  bool cluster() const { return !seeds_.empty(); }
  // "SPUBLISH" on a cluster, "PUBLISH" otherwise; what the scripts call.
  std::string_view publish_command() const { return cluster() ? "SPUBLISH" : "PUBLISH"; }
  // The message type of a subscription: "smessage" or "message".
  std::string_view message_type() const { return cluster() ? "smessage" : "message"; }
  const RedisConfig& config() const { return config_; }
  // "127.0.0.1:6379", or "a cluster of 3 masters (127.0.0.1:7000, …)".
  std::string endpoint() const;

 private:
  using Clock = std::chrono::steady_clock;
  Redis(RedisConfig config, std::string password);
  struct Endpoint {
    std::string host;
    int port = 0;
    bool operator==(const Endpoint&) const = default;
  };
  RedisNode& node(const Endpoint& at);
  std::unique_ptr<RedisNode> new_node(const Endpoint& at) const;
  // Where the command for `slot` goes now: the map's master, read again
  // first when stale. kUnavailable when the cluster has none for it.
  Result<Endpoint> owner(int slot);
  // Where the next attempt goes: where a redirection sent it, or the
  // slot's master; nothing after a wait when the cluster has none now.
  Result<std::optional<Endpoint>> next_target(int slot, const std::optional<Endpoint>& redirected,
                                              Clock::time_point deadline,
                                              std::chrono::milliseconds& backoff);
  // Takes MOVED or ASK "<slot> <host>:<port>": the endpoint it names.
  std::optional<Endpoint> redirection(std::string_view message, const Endpoint& from) const;
  // The command on the cluster node serving `slot`, following MOVED and
  // ASK, retrying TRYAGAIN, CLUSTERDOWN and an unreachable node with
  // backoff until the command timeout. A command whose connection is lost
  // after it was sent is never sent again: it may have run.
  Result<RedisReply> routed(int slot, const std::vector<std::string_view>& argv,
                            const Script* script);
  // Reads the slot map (CLUSTER SLOTS) from the first node that answers.
  Status refresh_slots();
  Status wait_before_retry(Clock::time_point deadline, std::chrono::milliseconds& backoff,
                           const std::string& why);

  RedisConfig config_;
  std::string password_;
  std::vector<Endpoint> seeds_;
  std::unique_ptr<RedisNode> single_;
  std::map<std::string, std::unique_ptr<RedisNode>> nodes_;  // by endpoint name
  std::vector<Endpoint> masters_;
  std::vector<int> slot_owner_;  // index into masters_, -1 when unserved
  bool stale_ = true;
};

// Reply helpers. A string reply's text ("" for other types).
std::string reply_string(const redisReply* r);
// An integer reply's value, or a string reply that is a whole number (as
// Redis gives scores). Anything else is kInternal: never a silent 0.
Result<long long> reply_integer(const redisReply* r);
// "the text 'abc'", "a list of 3", "nil": a reply for an error message.
std::string describe_reply(const redisReply* r);

}  // namespace ticket
