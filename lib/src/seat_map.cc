#include "ticket/seat_map.h"
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
  std::string cursor = "0";
  do {
    TL_ASSIGN_OR_RETURN(RedisReply reply,
                        redis->command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}));
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
        reply->element[1]->type != REDIS_REPLY_ARRAY)
      return internal("unexpected SCAN reply: " + describe_reply(reply.get()));
    cursor = reply_string(reply->element[0]);
    const redisReply* keys = reply->element[1];
    if (keys->elements > 0) {
      std::vector<std::string> argv = {"UNLINK"};
      for (size_t i = 0; i < keys->elements; ++i) argv.push_back(reply_string(keys->element[i]));
      TL_TRY(redis->command(argv));
    }
  } while (cursor != "0");
  return {};
}

}  // namespace ticket
