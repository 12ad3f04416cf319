#include "seat_map_rebuild.h"

#include <chrono>
#include <functional>
#include <map>
#include <thread>

#include "active_seats.h"
#include "random_bytes.h"
#include "script_replies.h"
#include "seat_map_scripts.h"
#include "ticket/seat_map.h"
#include "ticket/text.h"

namespace ticket {
namespace {

// How long one rebuild may keep the lock, and how long a caller waits for
// someone else's rebuild before giving up.
constexpr int kLockMs = 10000;
constexpr auto kWaitForRebuild = std::chrono::seconds(15);

Result<std::string> random_token() {
  unsigned char raw[12];
  TL_TRY(random_bytes(raw, sizeof raw, "a rebuild lock token"));
  return to_hex(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

// Takes the rebuild lock and rebuilds. False when another process holds the
// lock (its rebuild is under way). Under the lock the concert is read
// afresh from MySQL, never taken from the caller (a buy's cached copy): a
// concert laid out otherwise than `asked` now is kUnavailable (the caller
// reads it again), and a map that another process rebuilt meanwhile is
// left as it is.
Result<bool> try_rebuild(Context& ctx, const Concert& asked) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  TL_ASSIGN_OR_RETURN(const std::string token, random_token());
  const SeatMapKeys keys = seat_map_keys(ctx, asked.id);
  TL_ASSIGN_OR_RETURN(RedisReply got, redis->command({"SET", keys.lock, token, "NX", "PX",
                                                      std::to_string(kLockMs)}));
  if (got->type == REDIS_REPLY_NIL) return false;
  auto unlock = [&]() -> Status {
    TL_ASSIGN_OR_RETURN(RedisReply held, redis->command({"GET", keys.lock}));
    if (reply_string(held.get()) == token) TL_TRY(redis->command({"DEL", keys.lock}));
    return {};
  };
  auto fresh = find_concert(ctx, std::to_string(asked.id));
  if (!fresh.ok() || !(fresh->layout == asked.layout)) {
    TL_TRY(unlock());
    if (!fresh.ok()) return std::move(fresh).error();
    return unavailable("concert " + fresh->slug + " is laid out as " +
                       describe_layout(fresh->layout) + " now, no longer as " +
                       describe_layout(asked.layout) + "; try again");
  }
  const Concert& concert = *fresh;
  TL_ASSIGN_OR_RETURN(RedisReply warm, redis->command({"HGET", keys.meta, "layout"}));
  if (reply_string(warm.get()) == layout_token(concert.layout)) {
    TL_TRY(unlock());
    return true;
  }

  const Layout& layout = concert.layout;
  std::string buy_bits(static_cast<size_t>((layout.paid_seats() + 7) / 8), '\0');
  std::string free_bits(static_cast<size_t>((layout.free_seats + 7) / 8), '\0');
  std::vector<std::string> owners;
  struct HoldRow {
    Millis deadline = 0;
    std::vector<int> seats;
  };
  std::map<std::string, HoldRow> holds;

  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  TL_ASSIGN_OR_RETURN(std::vector<ActiveSeat> active, load_active_seats(*db, concert));
  for (const ActiveSeat& seat : active) {
    set_bit(seat.zone == Zone::kBuy ? buy_bits : free_bits, seat.index);
    owners.push_back(owner_field(seat.zone, seat.index));
    owners.push_back(seat.code);
    if (seat.paid_hold) {
      HoldRow& h = holds[seat.code];
      h.deadline = seat.deadline;
      h.seats.push_back(seat.index);
    }
  }

  std::vector<std::string> args = {token,
                                   layout_token(layout),
                                   buy_bits,
                                   free_bits,
                                   std::to_string(owners.size() / 2),
                                   std::to_string(holds.size())};
  args.insert(args.end(), owners.begin(), owners.end());
  for (auto& [code, h] : holds) {
    args.push_back(code);
    args.push_back(std::to_string(h.deadline));
    args.push_back(join_indexes(h.seats));
  }
  TL_ASSIGN_OR_RETURN(RedisReply r, run_script(ctx, SeatScript::kRebuild, concert.id, args));
  // Lost: the lock expired under a very slow rebuild; the next caller
  // rebuilds again.
  return decode_rebuild(r.get());
}

}  // namespace

// The one rebuild-wait loop: while `call` answers "cold", rebuilds under the
// lock, or waits for another process's rebuild, and calls again, for up to
// kWaitForRebuild in all (a map that keeps going cold, e.g. evicted as soon
// as it is written, ends there too).
Result<RedisReply> on_warm_map(Context& ctx, const Concert& concert,
                               const std::function<Result<RedisReply>()>& call) {
  const auto give_up = std::chrono::steady_clock::now() + kWaitForRebuild;
  for (;;) {
    TL_ASSIGN_OR_RETURN(RedisReply r, call());
    if (!is_cold(r.get())) return r;
    TL_ASSIGN_OR_RETURN(bool rebuilt, try_rebuild(ctx, concert));
    if (std::chrono::steady_clock::now() > give_up) {
      return unavailable("the seat map of concert " + std::to_string(concert.id) + " in Redis " +
                         (rebuilt ? "went missing again as soon as it was rebuilt"
                                  : "is being rebuilt by another process") +
                         "; try again");
    }
    if (!rebuilt) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace ticket
