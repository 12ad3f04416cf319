#include "ticket/context.h"

#include <pwd.h>
#include <unistd.h>

#include "redis.h"
#include "schema_sql.h"
#include "ticket/schema.h"
#include "ticket/text.h"

namespace ticket {
namespace {

// The name of the user running this process.
std::string os_user() {
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[4096];
  if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &found) == 0 && found != nullptr)
    return pw.pw_name;
  return "uid" + std::to_string(geteuid());
}

}  // namespace

Context::Context(Config config) : config_(std::move(config)), actor_(os_user()) {}

Context::~Context() = default;

Result<Db*> Context::db() {
  if (!db_) {
    TL_ASSIGN_OR_RETURN(auto db, Db::connect(config_.mysql));
    TL_TRY(check_schema(*db));
    db_ = std::move(db);
  }
  return db_.get();
}

Result<Redis*> Context::redis() {
  if (!redis_) {
    TL_ASSIGN_OR_RETURN(redis_, Redis::connect(config_.redis));
  }
  return redis_.get();
}

Status Context::ping_redis() {
  TL_ASSIGN_OR_RETURN(Redis * redis, this->redis());
  // Every master of a cluster: each serves a share of the concerts.
  TL_ASSIGN_OR_RETURN(std::vector<RedisNode*> masters, redis->masters());
  for (RedisNode* node : masters) {
    TL_ASSIGN_OR_RETURN(RedisReply pong, node->exchange({"PING"}, false, nullptr));
    if (pong->type == REDIS_REPLY_ERROR) return node->failure(pong.get(), "PING");
  }
  return {};
}

Result<std::string> Context::secret() {
  if (secret_.empty()) {
    TL_ASSIGN_OR_RETURN(secret_, read_secret(config_.security.secret_file));
  }
  return secret_;
}

Status Context::set_actor(const std::string& actor) {
  if (actor.empty() || utf8_length(actor) > 64 || !is_printable_utf8(actor))
    return invalid("actor " + quote(actor) + " must be 1 to 64 printable characters");
  actor_ = actor;
  return {};
}

}  // namespace ticket
