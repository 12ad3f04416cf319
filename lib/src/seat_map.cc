#include "ticket/seat_map.h"

#include <map>

#include "cluster_slot.h"
#include "redis.h"

namespace ticket {

std::vector<std::string> SeatMapKeys::in_script_order() const {
  return {meta, buy, free, owner, holds, holdseats, events, lock, ended};
}

SeatMapKeys seat_map_keys(const Context& ctx, uint64_t concert_id) {
  const std::string base =
      ctx.config().redis.key_prefix + ":{c" + std::to_string(concert_id) + "}:";
  return {base + "meta",      base + "buy",    base + "free", base + "owner", base + "holds",
          base + "holdseats", base + "events", base + "lock", base + "ended"};
}

Status drop_seat_map(Context& ctx, uint64_t concert_id) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  std::vector<std::string> argv = {"DEL"};
  for (std::string& key : seat_map_keys(ctx, concert_id).in_script_order())
    argv.push_back(std::move(key));
  TL_TRY(redis->command(argv));
  return {};
}

Status drop_all_seat_maps(Context& ctx) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  const std::string pattern = ctx.config().redis.key_prefix + ":{c*}:*";
  // Every master holds its own keys; a cluster's UNLINK takes keys of one
  // slot at a time.
  TL_ASSIGN_OR_RETURN(std::vector<RedisNode*> masters, redis->masters());
  for (RedisNode* node : masters) {
    std::string cursor = "0";
    do {
      TL_ASSIGN_OR_RETURN(
          RedisReply reply,
          node->exchange({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}, false, nullptr));
      if (reply->type == REDIS_REPLY_ERROR) return node->failure(reply.get(), "SCAN");
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
          reply->element[1]->type != REDIS_REPLY_ARRAY)
        return internal("unexpected SCAN reply: " + describe_reply(reply.get()));
      cursor = reply_string(reply->element[0]);
      std::map<int, std::vector<std::string>> by_slot;
      const redisReply* keys = reply->element[1];
      for (size_t i = 0; i < keys->elements; ++i) {
        std::string key = reply_string(keys->element[i]);
        by_slot[redis->cluster() ? key_slot(key) : 0].push_back(std::move(key));
      }
      for (auto& [slot, names] : by_slot) {
        std::vector<std::string> argv = {"UNLINK"};
        for (std::string& key : names) argv.push_back(std::move(key));
        TL_TRY(redis->command(argv));
      }
    } while (cursor != "0");
  }
  return {};
}

}  // namespace ticket
