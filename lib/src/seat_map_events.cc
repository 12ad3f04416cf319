#include "ticket/seat_map_events.h"

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <thread>

#include "redis.h"
#include "ticket/seat_map.h"

namespace ticket {
namespace {

struct Subscription {
  std::unique_ptr<RedisNode> conn;
  std::string message_type;  // "message", or "smessage" on a cluster
};

// A connection subscribed to `channel`: on a cluster, to the master
// serving the channel's slot (docs/design.md §14).
Result<Subscription> subscribe(const Context& ctx, const std::string& channel) {
  TL_ASSIGN_OR_RETURN(std::unique_ptr<Redis> redis, Redis::connect(ctx.config().redis));
  TL_ASSIGN_OR_RETURN(std::unique_ptr<RedisNode> conn, redis->subscribe(channel));
  return Subscription{std::move(conn), std::string(redis->message_type())};
}

}  // namespace

Status follow_seat_events(Context& ctx, uint64_t concert_id, const std::function<void()>& on_ready,
                          const std::function<bool(const std::string&)>& on_event) {
  return follow_seat_events(ctx, concert_id, on_ready, on_event, [] { return false; });
}

Status follow_seat_events(Context& ctx, uint64_t concert_id, const std::function<void()>& on_ready,
                          const std::function<bool(const std::string&)>& on_event,
                          const std::function<bool()>& stop) {
  const std::string channel = seat_map_keys(ctx, concert_id).events;
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!stop()) {
    // A connection that cannot be opened and one that refuses the SUBSCRIBE
    // (a server still loading, a user not allowed the channel yet) are
    // tried again alike, until give_up.
    auto conn = subscribe(ctx, channel);
    if (!conn.ok()) {
      if (std::chrono::steady_clock::now() > give_up) return std::move(conn).error();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    redisContext* c = conn->conn->context();
    on_ready();
    // Messages may be far apart: the socket is polled, 500 ms at a time,
    // so that `stop` is heard; a reply is read only once it has arrived.
    for (bool lost = false; !lost;) {
      void* raw = nullptr;
      if (redisGetReplyFromReader(c, &raw) != REDIS_OK) break;
      if (raw == nullptr) {
        if (stop()) return {};
        pollfd fd{c->fd, POLLIN, 0};
        const int ready = poll(&fd, 1, 500);
        if (ready < 0 && errno != EINTR) break;
        if (ready > 0) lost = redisBufferRead(c) != REDIS_OK;
        continue;
      }
      RedisReply reply(static_cast<redisReply*>(raw));
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) continue;
      const std::string type = reply_string(reply->element[0]);
      if (type == conn->message_type) {
        if (!on_event(reply_string(reply->element[2]))) return {};
      } else if (type == "sunsubscribe") {
        // The slot moved to another master (a migration, a failover):
        // subscribe there, a moment later, and tell the caller it may have
        // missed events.
        lost = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  }
  return {};
}

}  // namespace ticket
