#include "ticket/seat_map_writes.h"

#include <chrono>
#include <thread>

#include <algorithm>

#include "script_replies.h"
#include "seat_map_rebuild.h"
#include "seat_map_scripts.h"

namespace ticket {
namespace {

Result<std::vector<int>> hold(Context& ctx, const Concert& concert,
                              const std::vector<std::string>& args, int wanted_best) {
  TL_ASSIGN_OR_RETURN(RedisReply r, on_warm_map(ctx, concert, [&] {
                        return run_script(ctx, SeatScript::kHold, concert.id, args);
                      }));
  TL_ASSIGN_OR_RETURN(HoldReply h, decode_hold(r.get()));
  switch (h.outcome) {
    case HoldReply::Outcome::kHeld: return h.seats;
    case HoldReply::Outcome::kTaken: {
      std::string labels;
      for (int seat : h.seats) {
        if (!labels.empty()) labels += ", ";
        labels += seat_label(seat_at(Zone::kBuy, seat, concert.layout));
      }
      const bool many = h.seats.size() > 1;
      return conflict((many ? "seats " : "seat ") + labels + (many ? " are" : " is") +
                      " already taken");
    }
    case HoldReply::Outcome::kNoRow: break;
  }
  return conflict("no row of concert " + std::to_string(concert.id) + " has " +
                  std::to_string(wanted_best) + " adjacent free seats");
}

std::vector<std::string> change_args(Zone zone, const std::string& code,
                                     const std::vector<int>& seats, const char* event) {
  std::vector<std::string> args = {code, std::string(1, zone_letter(zone)), event};
  for (int s : seats) args.push_back(std::to_string(s));
  return args;
}

}  // namespace

Result<std::vector<int>> hold_seats(Context& ctx, const Concert& concert, const std::string& code,
                                    Millis deadline, const std::vector<int>& seats) {
  std::vector<std::string> args = {layout_token(concert.layout), code, std::to_string(deadline),
                                   "seats"};
  for (int s : seats) args.push_back(std::to_string(s));
  return hold(ctx, concert, args, 0);
}

Result<std::vector<int>> hold_best(Context& ctx, const Concert& concert, const std::string& code,
                                   Millis deadline, int n) {
  const std::vector<std::string> args = {layout_token(concert.layout),
                                         code,
                                         std::to_string(deadline),
                                         "best",
                                         std::to_string(n),
                                         std::to_string(concert.layout.rows),
                                         std::to_string(concert.layout.seats_per_row)};
  return hold(ctx, concert, args, n);
}

Result<std::vector<int>> release_seats(Context& ctx, uint64_t concert_id, Zone zone,
                                       const std::string& code, const std::vector<int>& seats,
                                       const char* event) {
  TL_ASSIGN_OR_RETURN(RedisReply r, run_script(ctx, SeatScript::kRelease, concert_id,
                                               change_args(zone, code, seats, event)));
  return decode_release(r.get());
}

Status release_many(Context& ctx, uint64_t concert_id, const std::vector<SeatRelease>& releases) {
  // release_many.lua takes this many tickets per call (Lua's unpack() has a limit).
  constexpr size_t kPerCall = 1000;
  for (size_t from = 0; from < releases.size(); from += kPerCall) {
    std::vector<std::string> args;
    for (size_t i = from; i < std::min(releases.size(), from + kPerCall); ++i) {
      const SeatRelease& r = releases[i];
      args.insert(args.end(), {r.code, std::string(1, zone_letter(r.zone)), r.event,
                               std::to_string(r.seats.size())});
      for (int s : r.seats) args.push_back(std::to_string(s));
    }
    TL_ASSIGN_OR_RETURN(RedisReply reply,
                        run_script(ctx, SeatScript::kReleaseMany, concert_id, args));
    TL_TRY(decode_release(reply.get()));
  }
  return {};
}

Status confirm_seats(Context& ctx, uint64_t concert_id, Zone zone, const std::string& code,
                     const std::vector<int>& seats, const char* event) {
  TL_ASSIGN_OR_RETURN(RedisReply r, run_script(ctx, SeatScript::kConfirm, concert_id,
                                               change_args(zone, code, seats, event)));
  return decode_confirm(r.get());
}

Status revive_seats(Context& ctx, uint64_t concert_id, const std::string& code,
                    const std::vector<int>& seats, bool was_released, Millis wait_ms) {
  const std::string event =
      std::string(was_released ? "revive-released:" : "revive:") + seat_event::kSold;
  const Millis until = wall_clock_ms() + wait_ms;
  for (;;) {
    TL_ASSIGN_OR_RETURN(RedisReply r,
                        run_script(ctx, SeatScript::kConfirm, concert_id,
                                   change_args(Zone::kBuy, code, seats, event.c_str())));
    Status s = decode_confirm(r.get());
    if (s.ok() || s.error().kind() != ErrorKind::kConflict || wall_clock_ms() >= until) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace ticket
