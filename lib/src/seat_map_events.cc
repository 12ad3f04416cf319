#include "ticket/seat_map_events.h"

#include <chrono>
#include <memory>
#include <thread>

#include "redis.h"
#include "ticket/seat_map.h"

namespace ticket {
namespace {

// A connection subscribed to `channel`.
Result<std::unique_ptr<Redis>> subscribe(const Context& ctx, const std::string& channel) {
  TL_ASSIGN_OR_RETURN(std::unique_ptr<Redis> redis, Redis::connect(ctx.config().redis));
  TL_TRY(redis->command({"SUBSCRIBE", channel}));
  return redis;
}

}  // namespace

Status follow_seat_events(Context& ctx, uint64_t concert_id, const std::function<void()>& on_ready,
                          const std::function<bool(const std::string&)>& on_event) {
  const std::string channel = seat_map_keys(ctx, concert_id).events;
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    // A connection that cannot be opened and one that refuses the SUBSCRIBE
    // (a server still loading, a user not allowed the channel yet) are
    // tried again alike, until give_up.
    auto conn = subscribe(ctx, channel);
    if (!conn.ok()) {
      if (std::chrono::steady_clock::now() > give_up) return std::move(conn).error();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    Redis& redis = **conn;
    // Messages may be far apart: wait for them without a time limit.
    redisSetTimeout(redis.context(), timeval{0, 0});
    on_ready();
    for (;;) {
      void* raw = nullptr;
      if (redisGetReply(redis.context(), &raw) != REDIS_OK || raw == nullptr) break;
      RedisReply reply(static_cast<redisReply*>(raw));
      if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
          reply_string(reply->element[0]) == "message") {
        if (!on_event(reply_string(reply->element[2]))) return {};
      }
    }
    give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  }
}

}  // namespace ticket
