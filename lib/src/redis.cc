#include "redis.h"

#include <openssl/sha.h>

#include <charconv>
#include <cstdio>
#include <optional>

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

bool starts_with(const redisReply* r, std::string_view prefix) {
  return r && r->type == REDIS_REPLY_ERROR &&
         std::string_view(r->str, r->len).substr(0, prefix.size()) == prefix;
}

bool has_prefix(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
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

Script::Script(std::string name, std::string_view body)
    : name_(std::move(name)), body_(body), sha_(sha1_hex(body)) {}

Redis::Redis(RedisConfig config, std::string password)
    : config_(std::move(config)),
      password_(std::move(password)),
      endpoint_(config_.host + ":" + std::to_string(config_.port)) {}

Redis::~Redis() = default;

Result<std::unique_ptr<Redis>> Redis::connect(const RedisConfig& config) {
  std::string password;
  if (config.password) {
    password = *config.password;
  } else if (!config.password_file.empty()) {
    TL_ASSIGN_OR_RETURN(password, read_secret_file(config.password_file, "Redis password"));
  }
  std::unique_ptr<Redis> redis(new Redis(config, std::move(password)));
  TL_TRY(redis->open());
  return redis;
}

Status Redis::open() {
  ctx_.reset();
  redisContext* c = redisConnectWithTimeout(config_.host.c_str(), config_.port,
                                            to_timeval(config_.connect_timeout_ms));
  if (c == nullptr) return unavailable("cannot reach Redis at " + endpoint_ + ": out of memory");
  ctx_.reset(c);
  if (c->err) {
    std::string why = c->errstr;
    ctx_.reset();
    return unavailable("cannot reach Redis at " + endpoint_ + ": " + why);
  }
  redisSetTimeout(c, to_timeval(config_.command_timeout_ms));
  redisEnableKeepAlive(c);
  if (!password_.empty()) {
    auto r = command_argv({"AUTH", password_});
    if (!r.ok()) {
      ctx_.reset();
      return std::move(r).error();
    }
  }
  if (config_.db != 0) {
    auto r = command_argv({"SELECT", std::to_string(config_.db)});
    if (!r.ok()) {
      ctx_.reset();
      if (r.error().kind() != ErrorKind::kInternal) return std::move(r).error();
      return config_error("Redis at " + endpoint_ + " refused database " +
                          std::to_string(config_.db) + ": " + r.error().message());
    }
  }
  return {};
}

Status Redis::ensure_connected() {
  if (ctx_ && ctx_->err == 0) return {};
  return open();
}

Error Redis::lost(const std::string& what) {
  std::string why = ctx_ && ctx_->errstr[0] ? ctx_->errstr : "connection closed";
  ctx_.reset();
  return unavailable("lost the connection to Redis at " + endpoint_ + " " + what + ": " + why);
}

Result<RedisReply> Redis::command_argv(const std::vector<std::string_view>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  void* raw = redisCommandArgv(ctx_.get(), static_cast<int>(argv.size()), ptrs.data(), lens.data());
  if (raw == nullptr) return lost("during " + std::string(argv[0]));
  RedisReply reply(static_cast<redisReply*>(raw));
  if (reply->type == REDIS_REPLY_ERROR) {
    std::string msg(reply->str, reply->len);
    if (auto refused = refusal(reply.get(), argv[0])) return std::move(*refused);
    return Error(ErrorKind::kInternal,
                 "Redis at " + endpoint_ + " answered " + std::string(argv[0]) + " with: " + msg);
  }
  return reply;
}

std::optional<Error> Redis::refusal(const redisReply* reply, std::string_view command) const {
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
  if (is_transient(msg))
    return unavailable("Redis at " + endpoint_ + " cannot serve this now (" + msg +
                       "): try again later");
  return std::nullopt;
}

Result<RedisReply> Redis::command(const std::vector<std::string>& argv) {
  TL_TRY(ensure_connected());
  std::vector<std::string_view> views(argv.begin(), argv.end());
  return command_argv(views);
}

Result<RedisReply> Redis::eval(const Script& script, const std::vector<std::string>& keys,
                               const std::vector<std::string>& args) {
  TL_TRY(ensure_connected());
  const std::string nkeys = std::to_string(keys.size());
  std::vector<std::string_view> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(script.sha());
  argv.push_back(nkeys);
  for (const auto& k : keys) argv.push_back(k);
  for (const auto& a : args) argv.push_back(a);

  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  void* raw = redisCommandArgv(ctx_.get(), static_cast<int>(argv.size()), ptrs.data(), lens.data());
  if (raw == nullptr) return lost("during script " + script.name());
  RedisReply reply(static_cast<redisReply*>(raw));
  if (starts_with(reply.get(), "NOSCRIPT")) {
    argv[0] = "EVAL";
    argv[1] = script.body();
    auto r = command_argv(argv);
    if (!r.ok()) return std::move(r).error().with_context("script " + script.name());
    return r;
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    std::string msg(reply->str, reply->len);
    if (auto refused = refusal(reply.get(), "EVALSHA")) return std::move(*refused);
    return internal("Redis at " + endpoint_ + " failed script " + script.name() + ": " + msg);
  }
  return reply;
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
