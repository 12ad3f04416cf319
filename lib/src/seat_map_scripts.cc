#include "seat_map_scripts.h"

#include "ticket/seat_map.h"
#include "ticket/text.h"

namespace ticket {
namespace embedded_lua {
extern const std::string_view k_hold_lua;
extern const std::string_view k_release_lua;
extern const std::string_view k_release_many_lua;
extern const std::string_view k_confirm_lua;
extern const std::string_view k_rebuild_lua;
extern const std::string_view k_view_lua;
extern const std::string_view k_reconcile_lua;
}  // namespace embedded_lua

namespace {

std::vector<Script> make_scripts(bool sharded) {
  const std::pair<const char*, std::string_view> sources[] = {
      {"hold.lua", embedded_lua::k_hold_lua},
      {"release.lua", embedded_lua::k_release_lua},
      {"release_many.lua", embedded_lua::k_release_many_lua},
      {"confirm.lua", embedded_lua::k_confirm_lua},
      {"rebuild.lua", embedded_lua::k_rebuild_lua},
      {"view.lua", embedded_lua::k_view_lua},
      {"reconcile.lua", embedded_lua::k_reconcile_lua}};
  std::vector<Script> out;
  for (const auto& [name, text] : sources) {
    std::string body(text);
    if (sharded) {
      // Sharded pub/sub: the event goes to the concert's shard only.
      const std::string_view from = "redis.call('PUBLISH'";
      for (size_t at = body.find(from); at != std::string::npos; at = body.find(from, at + 1))
        body.replace(at, from.size(), "redis.call('SPUBLISH'");
    }
    out.emplace_back(name, std::move(body));
  }
  return out;
}

}  // namespace

const Script& seat_script(SeatScript script, bool sharded) {
  static const std::vector<Script> plain = make_scripts(false);
  static const std::vector<Script> on_shards = make_scripts(true);
  return (sharded ? on_shards : plain)[static_cast<size_t>(script)];
}

Result<RedisReply> run_script(Context& ctx, SeatScript script, uint64_t concert_id,
                              const std::vector<std::string>& args) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  return redis->eval(seat_script(script, redis->cluster()),
                     seat_map_keys(ctx, concert_id).in_script_order(), args);
}

char zone_letter(Zone zone) { return zone == Zone::kBuy ? 'b' : 'f'; }

std::string owner_field(Zone zone, int index) {
  return std::string(1, zone_letter(zone)) + std::to_string(index);
}

std::optional<std::pair<Zone, int>> parse_owner_field(std::string_view field) {
  if (field.empty() || (field[0] != 'b' && field[0] != 'f')) return std::nullopt;
  auto index = parse_int(field.substr(1), 0, INT32_MAX);
  if (!index) return std::nullopt;
  return std::pair{field[0] == 'b' ? Zone::kBuy : Zone::kFree, static_cast<int>(*index)};
}

std::string join_indexes(const std::vector<int>& seats) {
  std::string out;
  for (int s : seats) {
    if (!out.empty()) out += ',';
    out += std::to_string(s);
  }
  return out;
}

std::vector<int> parse_indexes(std::string_view list) {
  std::vector<int> out;
  for (size_t pos = 0; pos < list.size();) {
    size_t end = list.find(',', pos);
    if (end == std::string_view::npos) end = list.size();
    if (auto idx = parse_int(list.substr(pos, end - pos), 0, INT32_MAX))
      out.push_back(static_cast<int>(*idx));
    pos = end + 1;
  }
  return out;
}

bool get_bit(std::string_view bitmap, int index) {
  const size_t byte = static_cast<size_t>(index / 8);
  return byte < bitmap.size() &&
         (static_cast<unsigned char>(bitmap[byte]) & (0x80u >> (index % 8))) != 0;
}

void set_bit(std::string& bitmap, int index) {
  bitmap[static_cast<size_t>(index / 8)] = static_cast<char>(
      static_cast<unsigned char>(bitmap[static_cast<size_t>(index / 8)]) | (0x80u >> (index % 8)));
}

}  // namespace ticket
