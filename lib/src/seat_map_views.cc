#include "ticket/seat_map_views.h"

#include "script_replies.h"
#include "seat_map_rebuild.h"
#include "seat_map_scripts.h"

namespace ticket {
namespace {

Result<RedisReply> view(Context& ctx, const Concert& concert, const char* what,
                        const std::vector<std::string>& more = {}) {
  std::vector<std::string> args = {layout_token(concert.layout), what};
  args.insert(args.end(), more.begin(), more.end());
  return on_warm_map(ctx, concert,
                     [&] { return run_script(ctx, SeatScript::kView, concert.id, args); });
}

}  // namespace

Result<SeatCounts> read_seat_counts(Context& ctx, const Concert& concert) {
  TL_ASSIGN_OR_RETURN(RedisReply r, view(ctx, concert, "counts"));
  return decode_view_counts(r.get());
}

Result<SeatGrid> read_seat_grid(Context& ctx, const Concert& concert) {
  TL_ASSIGN_OR_RETURN(RedisReply r, view(ctx, concert, "map"));
  return decode_view_map(r.get(), concert.layout);
}

bool SeatSnapshot::taken(Zone zone, int index) const {
  return get_bit(zone == Zone::kBuy ? buy_bits : free_bits, index);
}

Result<SeatSnapshot> read_seat_snapshot(Context& ctx, const Concert& concert) {
  TL_ASSIGN_OR_RETURN(RedisReply r, view(ctx, concert, "full"));
  return decode_view_full(r.get());
}

Result<SeatSnapshot> read_seat_snapshot(Context& ctx, const Concert& concert,
                                        const std::vector<std::string>& owner_fields) {
  TL_ASSIGN_OR_RETURN(RedisReply r, view(ctx, concert, "check", owner_fields));
  return decode_view_full(r.get());
}

}  // namespace ticket
