#include "ticket/seat_map.h"

namespace ticket {
namespace {

constexpr const char* kKeySuffixes[] = {"meta", "buy", "free", "owner", "holds", "holdseats", "lock"};

}  // namespace

Status drop_seat_map(Context& ctx, uint64_t concert_id) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  std::vector<std::string> argv = {"DEL"};
  for (const char* suffix : kKeySuffixes) argv.push_back(ctx.key(concert_id, suffix));
  TL_TRY(redis->command(argv));
  return {};
}

Status drop_all_seat_maps(Context& ctx) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  const std::string pattern = ctx.config().redis.key_prefix + ":{c*}:*";
  std::string cursor = "0";
  do {
    TL_ASSIGN_OR_RETURN(RedisReply reply, redis->command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}));
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) return internal("unexpected SCAN reply");
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
