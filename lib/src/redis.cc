#include "redis.h"

#include <openssl/sha.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>
#include <thread>

#include "cluster_slot.h"
#include "ticket/text.h"

namespace ticket {
namespace {

timeval to_timeval(int ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

std::string sha1_hex(std::string_view text) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  std::string hex;
  char buf[3];
  for (unsigned char b : digest) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    hex += buf;
  }
  return hex;
}

bool has_prefix(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool is_error(const redisReply* r, std::string_view prefix) {
  return r && r->type == REDIS_REPLY_ERROR && has_prefix(std::string_view(r->str, r->len), prefix);
}

std::string endpoint_name(const std::string& host, int port) {
  return (host.find(':') == std::string::npos ? host : "[" + host + "]") + ":" +
         std::to_string(port);
}

// The key a command is routed by on a cluster: its first argument, or the
// channel of PUBSUB SHARDNUMSUB; none for a command that names no key.
std::optional<std::string_view> routing_key(const std::vector<std::string>& argv) {
  const std::string name = to_upper(argv[0]);
  if (name == "PING" || name == "INFO" || name == "TIME" || name == "CLUSTER" || argv.size() < 2)
    return std::nullopt;
  if (name == "PUBSUB") {
    if (argv.size() < 3) return std::nullopt;
    return std::string_view(argv[2]);
  }
  return std::string_view(argv[1]);
}

// Error replies that say the server will not serve this connection now but
// may soon: loading its data, running a long script, without its master,
// out of memory, read-only, unable to persist, or full of clients.
bool is_transient(std::string_view msg) {
  for (std::string_view p :
       {"LOADING ", "BUSY ", "MASTERDOWN ", "TRYAGAIN ", "CLUSTERDOWN ", "OOM ", "READONLY ",
        "MISCONF ", "NOREPLICAS ", "ERR max number of clients reached"}) {
    if (has_prefix(msg, p)) return true;
  }
  return false;
}

}  // namespace

Script::Script(std::string name, std::string body)
    : name_(std::move(name)), body_(std::move(body)), sha_(sha1_hex(body_)) {}

// ---- one node ----

RedisNode::RedisNode(const RedisConfig& config, std::string host, int port, std::string password)
    : config_(config),
      host_(std::move(host)),
      port_(port),
      password_(std::move(password)),
      endpoint_(endpoint_name(host_, port_)) {}

RedisNode::~RedisNode() = default;

Status RedisNode::open() {
  ctx_.reset();
  redisContext* c =
      redisConnectWithTimeout(host_.c_str(), port_, to_timeval(config_.connect_timeout_ms));
  if (c == nullptr) return unavailable("cannot reach Redis at " + endpoint_ + ": out of memory");
  ctx_.reset(c);
  if (c->err) {
    std::string why = c->errstr;
    ctx_.reset();
    return unavailable("cannot reach Redis at " + endpoint_ + ": " + why);
  }
  redisSetTimeout(c, to_timeval(config_.command_timeout_ms));
  redisEnableKeepAlive(c);
  auto setup = [&](const std::vector<std::string_view>& argv) -> Status {
    auto r = send(argv, false);
    if (!r.ok()) return std::move(r).error();
    if ((*r)->type != REDIS_REPLY_ERROR) return {};
    ctx_.reset();
    if (auto refused = refusal(r->get(), argv[0])) return std::move(*refused);
    if (argv[0] == "SELECT")
      return config_error("Redis at " + endpoint_ + " refused database " + std::string(argv[1]) +
                          ": " + reply_string(r->get()));
    return internal("Redis at " + endpoint_ + " answered " + std::string(argv[0]) +
                    " with: " + reply_string(r->get()));
  };
  if (!password_.empty()) TL_TRY(setup({"AUTH", password_}));
  if (config_.db != 0) TL_TRY(setup({"SELECT", std::to_string(config_.db)}));
  return {};
}

Status RedisNode::ensure_connected() {
  if (ctx_ && ctx_->err == 0 && !closed_while_idle()) return {};
  return open();
}

bool RedisNode::connected() const { return ctx_ && ctx_->err == 0; }

bool RedisNode::closed_while_idle() const {
  // Nothing is due on an idle connection: anything readable is the server
  // closing it (a restart, a failover, its idle timeout). Found before a
  // command is sent, it is reopened, and no command is lost.
  pollfd fd{ctx_->fd, POLLIN, 0};
  if (poll(&fd, 1, 0) <= 0) return false;
  char byte;
  return recv(ctx_->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0 || (fd.revents & POLLHUP) != 0;
}

Error RedisNode::lost(const std::string& what) {
  std::string why = ctx_ && ctx_->errstr[0] ? ctx_->errstr : "connection closed";
  ctx_.reset();
  return unavailable("lost the connection to Redis at " + endpoint_ + " " + what + ": " + why);
}

Result<RedisReply> RedisNode::send(const std::vector<std::string_view>& argv, bool asking) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  const std::string what = "during " + std::string(argv[0]);
  if (asking) {
    // ASKING and the command in one write: the flag holds for the next
    // command of this connection only.
    if (redisAppendCommand(ctx_.get(), "ASKING") != REDIS_OK) return lost(what);
    if (redisAppendCommandArgv(ctx_.get(), static_cast<int>(argv.size()), ptrs.data(),
                               lens.data()) != REDIS_OK)
      return lost(what);
    void* raw = nullptr;
    if (redisGetReply(ctx_.get(), &raw) != REDIS_OK || raw == nullptr) return lost(what);
    RedisReply asked(static_cast<redisReply*>(raw));
    raw = nullptr;
    if (redisGetReply(ctx_.get(), &raw) != REDIS_OK || raw == nullptr) return lost(what);
    RedisReply reply(static_cast<redisReply*>(raw));
    // Refused ASKING: the command then met the usual redirection.
    if (asked->type == REDIS_REPLY_ERROR && reply->type == REDIS_REPLY_ERROR) return asked;
    return reply;
  }
  void* raw = redisCommandArgv(ctx_.get(), static_cast<int>(argv.size()), ptrs.data(), lens.data());
  if (raw == nullptr) return lost(what);
  return RedisReply(static_cast<redisReply*>(raw));
}

Result<RedisReply> RedisNode::exchange(const std::vector<std::string_view>& argv, bool asking,
                                       const Script* script) {
  TL_TRY(ensure_connected());
  TL_ASSIGN_OR_RETURN(RedisReply reply, send(argv, asking));
  if (script == nullptr || !is_error(reply.get(), "NOSCRIPT")) return reply;
  std::vector<std::string_view> load = argv;
  load[0] = "EVAL";
  load[1] = script->body();
  return send(load, asking);
}

Error RedisNode::failure(const redisReply* reply, std::string_view what) const {
  if (auto refused = refusal(reply, what)) return std::move(*refused);
  return internal("Redis at " + endpoint_ + " answered " + std::string(what) +
                  " with: " + reply_string(reply));
}

std::optional<Error> RedisNode::refusal(const redisReply* reply, std::string_view command) const {
  if (reply == nullptr || reply->type != REDIS_REPLY_ERROR) return std::nullopt;
  const std::string msg(reply->str, reply->len);
  // Redis 7 also answers a long command of an unauthenticated client with
  // "ERR Protocol error: unauthenticated multibulk length".
  if (has_prefix(msg, "NOAUTH ") || has_prefix(msg, "ERR Protocol error: unauthenticated"))
    return config_error("Redis at " + endpoint_ +
                        " wants a password: set [redis] password_file (or TL_REDIS_PASSWORD)");
  if (has_prefix(msg, "WRONGPASS ") || has_prefix(msg, "ERR invalid password") ||
      has_prefix(msg, "ERR invalid username-password"))
    return config_error("Redis at " + endpoint_ +
                        " refused the password: check [redis] password_file");
  if (has_prefix(msg, "ERR AUTH") || has_prefix(msg, "ERR Client sent AUTH"))
    return config_error(
        "Redis at " + endpoint_ +
        " has no password set, but [redis] password_file gives one: empty it, or set requirepass");
  if (has_prefix(msg, "NOPERM "))
    return config_error("Redis at " + endpoint_ + " does not let this user run " +
                        std::string(command) + " (" + msg + "): check the user's ACL");
  if (has_prefix(msg, "MOVED ") || has_prefix(msg, "ASK "))
    return config_error("Redis at " + endpoint_ +
                        " is a node of a Redis Cluster: list its nodes in [redis] cluster_nodes");
  if (has_prefix(msg, "ERR SELECT is not allowed in cluster mode"))
    return config_error("Redis at " + endpoint_ +
                        " is a node of a Redis Cluster, which has database 0 only: set [redis] "
                        "db = 0 and list its nodes in [redis] cluster_nodes");
  if (is_transient(msg))
    return unavailable("Redis at " + endpoint_ + " cannot serve this now (" + msg +
                       "): try again later");
  return std::nullopt;
}

// ---- one server or a cluster ----

Redis::Redis(RedisConfig config, std::string password)
    : config_(std::move(config)), password_(std::move(password)) {}

Redis::~Redis() = default;

Result<std::unique_ptr<Redis>> Redis::connect(const RedisConfig& config) {
  std::string password;
  if (config.password) {
    password = *config.password;
  } else if (!config.password_file.empty()) {
    TL_ASSIGN_OR_RETURN(password, read_secret_file(config.password_file, "Redis password"));
  }
  std::unique_ptr<Redis> redis(new Redis(config, std::move(password)));
  for (const std::string& item : split_list(config.cluster_nodes)) {
    const auto address = parse_listen_address(item);
    if (!address)
      return config_error("[redis] cluster_nodes: " + quote(item) + " is not HOST:PORT");
    redis->seeds_.push_back({address->host, address->port});
  }
  if (!redis->cluster()) {
    redis->single_ = redis->new_node({config.host, config.port});
    TL_TRY(redis->single_->ensure_connected());
    return redis;
  }
  if (config.db != 0)
    return config_error("[redis] db is " + std::to_string(config.db) +
                        ", but a Redis Cluster has database 0 only: set db = 0");
  redis->slot_owner_.assign(kClusterSlots, -1);
  TL_TRY(redis->refresh_slots());
  return redis;
}

std::unique_ptr<RedisNode> Redis::new_node(const Endpoint& at) const {
  return std::make_unique<RedisNode>(config_, at.host, at.port, password_);
}

RedisNode& Redis::node(const Endpoint& at) {
  auto& slot = nodes_[endpoint_name(at.host, at.port)];
  if (!slot) slot = new_node(at);
  return *slot;
}

Status Redis::refresh_slots() {
  // Nodes with a working connection first: a dead master is tried last, so
  // that its connect timeout is spent only when nothing else answers.
  std::vector<Endpoint> candidates;
  for (bool live : {true, false}) {
    for (const auto* list : {&masters_, &seeds_}) {
      for (const Endpoint& at : *list) {
        if (node(at).connected() == live &&
            std::find(candidates.begin(), candidates.end(), at) == candidates.end())
          candidates.push_back(at);
      }
    }
  }
  std::string last_error;
  for (const Endpoint& at : candidates) {
    RedisNode& n = node(at);
    auto reply = n.exchange({"CLUSTER", "SLOTS"}, false, nullptr);
    if (!reply.ok()) {
      if (reply.error().kind() == ErrorKind::kConfig) return std::move(reply).error();
      last_error = reply.error().message();
      continue;
    }
    const redisReply* r = reply->get();
    if (r->type == REDIS_REPLY_ERROR) {
      const std::string msg = reply_string(r);
      if (msg.find("cluster support disabled") != std::string::npos)
        return config_error("[redis] cluster_nodes names " + n.endpoint() +
                            ", a Redis server without cluster mode: list cluster nodes, or "
                            "empty cluster_nodes to use it as one server");
      Error e = n.failure(r, "CLUSTER SLOTS");
      if (e.kind() == ErrorKind::kConfig) return e;
      last_error = e.message();
      continue;
    }
    if (r->type != REDIS_REPLY_ARRAY) {
      last_error = "Redis at " + n.endpoint() + " answered CLUSTER SLOTS with " + describe_reply(r);
      continue;
    }
    std::vector<Endpoint> masters;
    std::vector<int> owner(kClusterSlots, -1);
    bool complete = true;
    for (size_t i = 0; i < r->elements; ++i) {
      const redisReply* range = r->element[i];
      if (range->type != REDIS_REPLY_ARRAY || range->elements < 3 ||
          range->element[0]->type != REDIS_REPLY_INTEGER ||
          range->element[1]->type != REDIS_REPLY_INTEGER ||
          range->element[2]->type != REDIS_REPLY_ARRAY || range->element[2]->elements < 2 ||
          range->element[2]->element[1]->type != REDIS_REPLY_INTEGER) {
        complete = false;
        break;
      }
      const long long first = range->element[0]->integer;
      const long long last = range->element[1]->integer;
      // An empty host means the node that answered.
      Endpoint master{reply_string(range->element[2]->element[0]),
                      static_cast<int>(range->element[2]->element[1]->integer)};
      if (master.host.empty()) master.host = at.host;
      auto it = std::find(masters.begin(), masters.end(), master);
      const int index = static_cast<int>(it - masters.begin());
      if (it == masters.end()) masters.push_back(master);
      for (long long s = std::max(0LL, first); s <= last && s < kClusterSlots; ++s)
        owner[static_cast<size_t>(s)] = index;
    }
    if (!complete || masters.empty()) {
      last_error = "Redis at " + n.endpoint() + " gave no usable slot map (" + describe_reply(r) +
                   "): is the cluster created?";
      continue;
    }
    masters_ = std::move(masters);
    slot_owner_ = std::move(owner);
    stale_ = false;
    return {};
  }
  return unavailable("cannot read the slot map of the Redis cluster from any of its nodes: " +
                     last_error);
}

Status Redis::wait_before_retry(Clock::time_point deadline, std::chrono::milliseconds& backoff,
                                const std::string& why) {
  if (Clock::now() + backoff > deadline)
    return unavailable("the Redis cluster did not serve this within " +
                       std::to_string(config_.command_timeout_ms) +
                       " ms ([redis] command_timeout_ms): " + why);
  std::this_thread::sleep_for(backoff);
  backoff = std::min(backoff * 2, std::chrono::milliseconds(200));
  return {};
}

Result<Redis::Endpoint> Redis::owner(int slot) {
  if (stale_) TL_TRY(refresh_slots());
  const int index = slot_owner_[static_cast<size_t>(slot)];
  if (index < 0) {
    stale_ = true;
    return unavailable("no master of the Redis cluster serves slot " + std::to_string(slot));
  }
  return masters_[static_cast<size_t>(index)];
}

Result<std::optional<Redis::Endpoint>> Redis::next_target(int slot,
                                                          const std::optional<Endpoint>& redirected,
                                                          Clock::time_point deadline,
                                                          std::chrono::milliseconds& backoff) {
  if (redirected) return redirected;
  auto found = owner(slot);
  if (found.ok()) return std::optional<Endpoint>(*found);
  if (found.error().kind() != ErrorKind::kUnavailable) return std::move(found).error();
  TL_TRY(wait_before_retry(deadline, backoff, found.error().message()));
  return std::optional<Endpoint>();
}

std::optional<Redis::Endpoint> Redis::redirection(std::string_view message,
                                                  const Endpoint& from) const {
  // "MOVED 3999 127.0.0.1:6381" or "ASK 3999 :6381" (an empty host is the
  // node that answered).
  const size_t space = message.rfind(' ');
  const size_t colon = message.rfind(':');
  if (space == std::string_view::npos || colon == std::string_view::npos || colon < space)
    return std::nullopt;
  auto port = parse_int(message.substr(colon + 1), 1, 65535);
  if (!port) return std::nullopt;
  Endpoint to{std::string(message.substr(space + 1, colon - space - 1)), static_cast<int>(*port)};
  if (to.host.size() > 2 && to.host.front() == '[' && to.host.back() == ']')
    to.host = to.host.substr(1, to.host.size() - 2);
  if (to.host.empty()) to.host = from.host;
  return to;
}

Result<RedisReply> Redis::routed(int slot, const std::vector<std::string_view>& argv,
                                 const Script* script) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(config_.command_timeout_ms);
  auto backoff = std::chrono::milliseconds(10);
  const std::string what = script ? "script " + script->name() : std::string(argv[0]);
  std::optional<Endpoint> next;  // where a MOVED or ASK sent the command
  bool asking = false;
  for (int redirects = 0;;) {
    if (Clock::now() > deadline)
      return unavailable("the Redis cluster did not serve " + what + " within " +
                         std::to_string(config_.command_timeout_ms) +
                         " ms ([redis] command_timeout_ms)");
    TL_ASSIGN_OR_RETURN(std::optional<Endpoint> target, next_target(slot, next, deadline, backoff));
    if (!target) continue;
    const Endpoint at = *target;
    RedisNode& n = node(at);
    if (auto connected = n.ensure_connected(); !connected.ok()) {
      // Not sent: a failed master, until its replica takes over.
      if (connected.error().kind() != ErrorKind::kUnavailable) return std::move(connected).error();
      stale_ = true;
      next.reset();
      asking = false;
      TL_TRY(wait_before_retry(deadline, backoff, connected.error().message()));
      continue;
    }
    auto reply = n.exchange(argv, asking, script);
    if (!reply.ok()) {
      // Sent, and perhaps run: never sent again. The map is read again
      // before the next command, which finds a new master after a failover.
      stale_ = true;
      return std::move(reply).error();
    }
    const redisReply* r = reply->get();
    if (r->type != REDIS_REPLY_ERROR) return reply;
    const std::string_view msg(r->str, r->len);
    const bool moved = has_prefix(msg, "MOVED ");
    if (moved || has_prefix(msg, "ASK ")) {
      auto to = redirection(msg, at);
      if (!to)
        return internal("Redis at " + n.endpoint() + " redirected " + what +
                        " to an address not understood: " + std::string(msg));
      if (++redirects > 16)
        return unavailable("the Redis cluster redirected " + what +
                           " more than 16 times (last: " + std::string(msg) + "): try again later");
      next = to;
      asking = !moved;
      if (moved) {
        // The slot's new master; the rest of the map is read again before
        // the next command.
        auto it = std::find(masters_.begin(), masters_.end(), *to);
        if (it == masters_.end()) it = masters_.insert(masters_.end(), *to);
        slot_owner_[static_cast<size_t>(slot)] = static_cast<int>(it - masters_.begin());
        stale_ = true;
      }
      continue;
    }
    next.reset();
    asking = false;
    if (has_prefix(msg, "TRYAGAIN") || has_prefix(msg, "CLUSTERDOWN")) {
      // A migration under way answers ASK then TRYAGAIN, round after round,
      // until the keys have moved: only the deadline bounds that.
      redirects = 0;
      if (has_prefix(msg, "CLUSTERDOWN")) stale_ = true;
      TL_TRY(wait_before_retry(deadline, backoff, n.endpoint() + " answered " + std::string(msg)));
      continue;
    }
    return n.failure(r, what);
  }
}

Result<RedisReply> Redis::command(const std::vector<std::string>& argv) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  if (!cluster()) {
    TL_ASSIGN_OR_RETURN(RedisReply reply, single_->exchange(views, false, nullptr));
    if (reply->type == REDIS_REPLY_ERROR) return single_->failure(reply.get(), argv[0]);
    return reply;
  }
  const auto key = routing_key(argv);
  return routed(key ? key_slot(*key) : 0, views, nullptr);
}

Result<RedisReply> Redis::eval(const Script& script, const std::vector<std::string>& keys,
                               const std::vector<std::string>& args) {
  const std::string nkeys = std::to_string(keys.size());
  std::vector<std::string_view> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(script.sha());
  argv.push_back(nkeys);
  for (const auto& k : keys) argv.push_back(k);
  for (const auto& a : args) argv.push_back(a);
  if (cluster()) return routed(keys.empty() ? 0 : key_slot(keys.front()), argv, &script);
  TL_ASSIGN_OR_RETURN(RedisReply reply, single_->exchange(argv, false, &script));
  if (reply->type == REDIS_REPLY_ERROR)
    return single_->failure(reply.get(), "script " + script.name());
  return reply;
}

Result<std::pair<std::string, int>> Redis::address_of(std::string_view key) {
  if (!cluster()) return std::pair{config_.host, config_.port};
  TL_ASSIGN_OR_RETURN(Endpoint at, owner(key_slot(key)));
  return std::pair{at.host, at.port};
}

std::string Redis::endpoint() const {
  if (!cluster()) return single_->endpoint();
  std::string list;
  for (const Endpoint& at : masters_)
    list += (list.empty() ? "" : ", ") + endpoint_name(at.host, at.port);
  return "a cluster of " + std::to_string(masters_.size()) + " masters (" + list + ")";
}

Result<std::vector<RedisNode*>> Redis::masters() {
  std::vector<RedisNode*> out;
  if (!cluster()) {
    TL_TRY(single_->ensure_connected());
    out.push_back(single_.get());
    return out;
  }
  TL_TRY(refresh_slots());
  for (const Endpoint& at : masters_) {
    RedisNode& n = node(at);
    TL_TRY(n.ensure_connected());
    out.push_back(&n);
  }
  return out;
}

Result<std::unique_ptr<RedisNode>> Redis::subscribe(const std::string& channel) {
  if (!cluster()) {
    auto n = new_node({config_.host, config_.port});
    TL_ASSIGN_OR_RETURN(RedisReply reply, n->exchange({"SUBSCRIBE", channel}, false, nullptr));
    if (reply->type == REDIS_REPLY_ERROR) return n->failure(reply.get(), "SUBSCRIBE");
    return n;
  }
  const int slot = key_slot(channel);
  const auto deadline = Clock::now() + std::chrono::milliseconds(config_.command_timeout_ms);
  auto backoff = std::chrono::milliseconds(10);
  std::optional<Endpoint> next;
  for (int redirects = 0;;) {
    TL_ASSIGN_OR_RETURN(std::optional<Endpoint> target, next_target(slot, next, deadline, backoff));
    if (!target) continue;
    const Endpoint at = *target;
    next.reset();
    auto n = new_node(at);
    // Subscribing again is harmless, so a lost connection is retried too.
    auto reply = n->exchange({"SSUBSCRIBE", channel}, false, nullptr);
    if (!reply.ok()) {
      if (reply.error().kind() != ErrorKind::kUnavailable) return std::move(reply).error();
      stale_ = true;
      TL_TRY(wait_before_retry(deadline, backoff, reply.error().message()));
      continue;
    }
    const redisReply* r = reply->get();
    if (r->type != REDIS_REPLY_ERROR) return n;
    const std::string_view msg(r->str, r->len);
    if (has_prefix(msg, "MOVED ")) {
      next = redirection(msg, at);
      stale_ = true;
      if (!next || ++redirects > 16)
        return unavailable("the Redis cluster redirected SSUBSCRIBE " + std::string(msg) +
                           (next ? " more than 16 times" : ", an address not understood") +
                           ": try again later");
      continue;
    }
    if (has_prefix(msg, "TRYAGAIN") || has_prefix(msg, "CLUSTERDOWN")) {
      stale_ = true;
      TL_TRY(wait_before_retry(deadline, backoff, n->endpoint() + " answered " + std::string(msg)));
      continue;
    }
    return n->failure(r, "SSUBSCRIBE");
  }
}

std::string reply_string(const redisReply* r) {
  if (r == nullptr) return {};
  if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
      r->type == REDIS_REPLY_ERROR)
    return std::string(r->str, r->len);
  if (r->type == REDIS_REPLY_INTEGER) return std::to_string(r->integer);
  return {};
}

Result<long long> reply_integer(const redisReply* r) {
  if (r != nullptr && r->type == REDIS_REPLY_INTEGER) return r->integer;
  if (r != nullptr && r->type == REDIS_REPLY_STRING) {
    const std::string_view text(r->str, r->len);
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) return value;
  }
  return internal("Redis answered " + describe_reply(r) + " where a whole number was due");
}

std::string describe_reply(const redisReply* r) {
  if (r == nullptr) return "nothing";
  switch (r->type) {
    case REDIS_REPLY_INTEGER: return "the number " + std::to_string(r->integer);
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      return "the text " + quote(std::string_view(r->str, r->len).substr(0, 40));
    case REDIS_REPLY_ERROR:
      return "the error " + quote(std::string_view(r->str, r->len).substr(0, 40));
    case REDIS_REPLY_ARRAY: return "a list of " + std::to_string(r->elements);
    case REDIS_REPLY_NIL: return "nil";
    default: return "a reply of type " + std::to_string(r->type);
  }
}

}  // namespace ticket
