#include "ticket/seat_map.h"

#include <openssl/rand.h>

#include <chrono>
#include <map>
#include <thread>

#include "active_seats.h"
#include "ticket/text.h"
#include "db.h"
#include "redis.h"

namespace ticket {
namespace embedded_lua {
extern const std::string_view k_hold_lua;
extern const std::string_view k_release_lua;
extern const std::string_view k_confirm_lua;
extern const std::string_view k_rebuild_lua;
extern const std::string_view k_view_lua;
}  // namespace embedded_lua

namespace {

// Every active seat of a concert with its ticket; PROCESS rows carry the
// hold deadline in milliseconds.
constexpr const char* kActiveSeats =
    "SELECT s.zone, s.seat_row, s.seat_number, t.code, t.status,"
    " CAST(UNIX_TIMESTAMP(t.hold_expires_at) * 1000 AS SIGNED)"
    " FROM TICKET_SEATS s JOIN TICKETS t ON t.id = s.ticket_id"
    " WHERE s.concert_id = ? AND s.active = 1";

constexpr const char* kKeySuffixes[] = {"meta", "buy", "free", "owner", "holds", "holdseats", "lock", "ended"};

// How long one rebuild may keep the lock, and how long a caller waits for
// someone else's rebuild before giving up.
constexpr int kLockMs = 10000;
constexpr auto kWaitForRebuild = std::chrono::seconds(15);

const Script& hold_script() {
  static const Script s("hold.lua", embedded_lua::k_hold_lua);
  return s;
}
const Script& release_script() {
  static const Script s("release.lua", embedded_lua::k_release_lua);
  return s;
}
const Script& confirm_script() {
  static const Script s("confirm.lua", embedded_lua::k_confirm_lua);
  return s;
}
const Script& rebuild_script() {
  static const Script s("rebuild.lua", embedded_lua::k_rebuild_lua);
  return s;
}
const Script& view_script() {
  static const Script s("view.lua", embedded_lua::k_view_lua);
  return s;
}

std::string reply_word(const RedisReply& r) {
  if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) return {};
  return reply_string(r->element[0]);
}

bool is_cold(const RedisReply& r) { return reply_word(r) == "cold"; }

std::string random_token() {
  unsigned char raw[12];
  if (RAND_bytes(raw, sizeof raw) != 1) return std::to_string(wall_clock_ms());
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : raw) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

char zone_letter(Zone zone) { return zone == Zone::kBuy ? 'b' : 'f'; }

std::vector<std::string> change_keys(const Context& ctx, uint64_t concert_id, Zone zone) {
  return seat_map_keys(ctx, concert_id, {"meta", zone == Zone::kBuy ? "buy" : "free", "owner", "holds", "holdseats",
                                         "events", "lock", "ended"});
}

std::string join_indexes(const std::vector<int>& seats) {
  std::string out;
  for (int s : seats) {
    if (!out.empty()) out += ',';
    out += std::to_string(s);
  }
  return out;
}

void set_bit(std::string& bitmap, int index) {
  bitmap[static_cast<size_t>(index / 8)] = static_cast<char>(
      static_cast<unsigned char>(bitmap[static_cast<size_t>(index / 8)]) | (0x80u >> (index % 8)));
}

bool get_bit(std::string_view bitmap, int index) {
  const size_t byte = static_cast<size_t>(index / 8);
  return byte < bitmap.size() && (static_cast<unsigned char>(bitmap[byte]) & (0x80u >> (index % 8))) != 0;
}

// Takes the rebuild lock and rebuilds. False when another process holds the
// lock (its rebuild is under way).
Result<bool> try_rebuild(Context& ctx, const Concert& concert) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  const std::string token = random_token();
  const std::string lock = ctx.key(concert.id, "lock");
  TL_ASSIGN_OR_RETURN(RedisReply got, redis->command({"SET", lock, token, "NX", "PX", std::to_string(kLockMs)}));
  if (got->type == REDIS_REPLY_NIL) return false;

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
    owners.push_back(std::string(1, zone_letter(seat.zone)) + std::to_string(seat.index));
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
  auto keys = seat_map_keys(ctx, concert.id, {"meta", "buy", "free", "owner", "holds", "holdseats", "events", "lock"});
  TL_ASSIGN_OR_RETURN(RedisReply r, redis->eval(rebuild_script(), keys, args));
  // "lost": the lock expired under a very slow rebuild; the next caller
  // rebuilds again.
  return reply_word(r) == "ok";
}

// Runs `call` (one script) on a warm map: when it answers "cold", rebuilds
// (or waits for another process's rebuild) and calls again.
template <class Call>
Result<RedisReply> on_warm_map(Context& ctx, const Concert& concert, Call call) {
  const auto give_up = std::chrono::steady_clock::now() + kWaitForRebuild;
  for (;;) {
    TL_ASSIGN_OR_RETURN(RedisReply r, call());
    if (!is_cold(r)) return r;
    TL_ASSIGN_OR_RETURN(bool rebuilt, try_rebuild(ctx, concert));
    if (!rebuilt) {
      if (std::chrono::steady_clock::now() > give_up)
        return unavailable("the seat map of concert " + std::to_string(concert.id) +
                           " in Redis is being rebuilt by another process; try again");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

Result<std::vector<int>> hold_reply(const Concert& concert, const RedisReply& r, int wanted_best) {
  const std::string word = reply_word(r);
  if (word == "ok") {
    std::vector<int> seats;
    for (size_t i = 2; i < r->elements; ++i) seats.push_back(static_cast<int>(reply_integer(r->element[i])));
    return seats;
  }
  if (word == "taken") {
    std::string labels;
    for (size_t i = 1; i < r->elements; ++i) {
      if (!labels.empty()) labels += ", ";
      labels += seat_label(seat_at(Zone::kBuy, static_cast<int>(reply_integer(r->element[i])), concert.layout));
    }
    return conflict((r->elements > 2 ? "seats " : "seat ") + labels + (r->elements > 2 ? " are" : " is") +
                    " already taken");
  }
  if (word == "none")
    return conflict("no row of concert " + std::to_string(concert.id) + " has " + std::to_string(wanted_best) +
                    " adjacent free seats");
  return internal("unexpected reply from hold.lua: " + word);
}

Status change_seats(Context& ctx, const Script& script, uint64_t concert_id, Zone zone, const std::string& code,
                    const std::vector<int>& seats, const char* event) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  std::vector<std::string> args = {code, std::string(1, zone_letter(zone)), event};
  for (int s : seats) args.push_back(std::to_string(s));
  TL_ASSIGN_OR_RETURN(RedisReply r, redis->eval(script, change_keys(ctx, concert_id, zone), args));
  const std::string word = reply_word(r);
  if (word != "ok" && word != "cold" && word != "ended")
    return internal("unexpected reply from " + script.name() + ": " + word);
  return {};
}

}  // namespace

Result<std::vector<ActiveSeat>> load_active_seats(Db& db, const Concert& concert) {
  return db.transaction<std::vector<ActiveSeat>>([&]() -> Result<std::vector<ActiveSeat>> {
    std::vector<ActiveSeat> out;
    auto& stmt = db.prepare(kActiveSeats);
    stmt.setUInt64(1, concert.id);
    ResultSetPtr rs = db.query(stmt);
    while (rs->next()) {
      ActiveSeat a;
      a.zone = rs->getString(1) == "BUY" ? Zone::kBuy : Zone::kFree;
      a.index = seat_index({a.zone, static_cast<int>(rs->getUInt(2)), static_cast<int>(rs->getUInt(3))},
                           concert.layout);
      if (a.index < 0 || a.index >= concert.layout.seats(a.zone)) continue;
      a.code = rs->getString(4);
      a.paid_hold = a.zone == Zone::kBuy && rs->getString(5) == "PROCESS";
      a.deadline = rs->isNull(6) ? 0 : rs->getInt64(6);
      out.push_back(std::move(a));
    }
    return out;
  });
}

std::vector<std::string> seat_map_keys(const Context& ctx, uint64_t concert_id,
                                       std::initializer_list<const char*> suffixes) {
  std::vector<std::string> keys;
  keys.reserve(suffixes.size());
  for (const char* s : suffixes) keys.push_back(ctx.key(concert_id, s));
  return keys;
}

Result<std::vector<int>> hold_seats(Context& ctx, const Concert& concert, const std::string& code, Millis deadline,
                                    const std::vector<int>& seats) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  std::vector<std::string> args = {layout_token(concert.layout), code, std::to_string(deadline), "seats"};
  for (int s : seats) args.push_back(std::to_string(s));
  const auto keys = change_keys(ctx, concert.id, Zone::kBuy);
  TL_ASSIGN_OR_RETURN(RedisReply r,
                      on_warm_map(ctx, concert, [&] { return redis->eval(hold_script(), keys, args); }));
  return hold_reply(concert, r, 0);
}

Result<std::vector<int>> hold_best(Context& ctx, const Concert& concert, const std::string& code, Millis deadline,
                                   int n) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  const std::vector<std::string> args = {layout_token(concert.layout),
                                         code,
                                         std::to_string(deadline),
                                         "best",
                                         std::to_string(n),
                                         std::to_string(concert.layout.rows),
                                         std::to_string(concert.layout.seats_per_row)};
  const auto keys = change_keys(ctx, concert.id, Zone::kBuy);
  TL_ASSIGN_OR_RETURN(RedisReply r,
                      on_warm_map(ctx, concert, [&] { return redis->eval(hold_script(), keys, args); }));
  return hold_reply(concert, r, n);
}

Status release_seats(Context& ctx, uint64_t concert_id, Zone zone, const std::string& code,
                     const std::vector<int>& seats, const char* event) {
  return change_seats(ctx, release_script(), concert_id, zone, code, seats, event);
}

Status release_many(Context& ctx, uint64_t concert_id, const std::vector<SeatRelease>& releases) {
  if (releases.empty()) return {};
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  std::vector<Redis::Call> calls;
  calls.reserve(releases.size());
  for (const SeatRelease& r : releases) {
    Redis::Call call{change_keys(ctx, concert_id, r.zone), {r.code, std::string(1, zone_letter(r.zone)), r.event}};
    for (int s : r.seats) call.args.push_back(std::to_string(s));
    calls.push_back(std::move(call));
  }
  TL_ASSIGN_OR_RETURN(std::vector<RedisReply> replies, redis->eval_many(release_script(), calls));
  for (const RedisReply& r : replies) {
    const std::string word = reply_word(r);
    if (word != "ok" && word != "cold")
      return internal("unexpected reply from release.lua: " + (word.empty() ? reply_string(r.get()) : word));
  }
  return {};
}

Status confirm_seats(Context& ctx, uint64_t concert_id, Zone zone, const std::string& code,
                     const std::vector<int>& seats, const char* event) {
  return change_seats(ctx, confirm_script(), concert_id, zone, code, seats, event);
}

Status rebuild_seat_map(Context& ctx, const Concert& concert) {
  const auto give_up = std::chrono::steady_clock::now() + kWaitForRebuild;
  for (;;) {
    TL_ASSIGN_OR_RETURN(bool rebuilt, try_rebuild(ctx, concert));
    if (rebuilt) return {};
    if (std::chrono::steady_clock::now() > give_up)
      return unavailable("the seat map of concert " + std::to_string(concert.id) +
                         " in Redis is being rebuilt by another process; try again");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

Result<SeatCounts> read_seat_counts(Context& ctx, const Concert& concert) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  const auto keys = seat_map_keys(ctx, concert.id, {"meta", "buy", "free", "holdseats"});
  const std::vector<std::string> args = {layout_token(concert.layout), "counts"};
  TL_ASSIGN_OR_RETURN(RedisReply r, on_warm_map(ctx, concert, [&] { return redis->eval(view_script(), keys, args); }));
  if (r->elements != 5) return internal("unexpected reply from view.lua");
  SeatCounts c;
  c.generation = reply_integer(r->element[1]);
  c.held = reply_integer(r->element[2]);
  c.buy_taken = reply_integer(r->element[3]);
  c.free_taken = reply_integer(r->element[4]);
  return c;
}

Result<SeatGrid> read_seat_grid(Context& ctx, const Concert& concert) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  const auto keys = seat_map_keys(ctx, concert.id, {"meta", "buy", "free", "holdseats"});
  const std::vector<std::string> args = {layout_token(concert.layout), "map"};
  TL_ASSIGN_OR_RETURN(RedisReply r, on_warm_map(ctx, concert, [&] { return redis->eval(view_script(), keys, args); }));
  if (r->elements < 5) return internal("unexpected reply from view.lua");
  SeatGrid g;
  g.counts.generation = reply_integer(r->element[1]);
  g.counts.held = reply_integer(r->element[2]);
  const std::string buy_bits = reply_string(r->element[3]);
  const std::string free_bits = reply_string(r->element[4]);
  g.buy.resize(static_cast<size_t>(concert.layout.paid_seats()), SeatState::kFree);
  g.free.resize(static_cast<size_t>(concert.layout.free_seats), SeatState::kFree);
  for (int i = 0; i < concert.layout.paid_seats(); ++i) {
    if (get_bit(buy_bits, i)) {
      g.buy[static_cast<size_t>(i)] = SeatState::kTaken;
      ++g.counts.buy_taken;
    }
  }
  for (int i = 0; i < concert.layout.free_seats; ++i) {
    if (get_bit(free_bits, i)) {
      g.free[static_cast<size_t>(i)] = SeatState::kTaken;
      ++g.counts.free_taken;
    }
  }
  for (size_t e = 5; e < r->elements; ++e) {
    const std::string list = reply_string(r->element[e]);
    size_t pos = 0;
    while (pos < list.size()) {
      size_t end = list.find(',', pos);
      if (end == std::string::npos) end = list.size();
      const auto idx = parse_int(std::string_view(list).substr(pos, end - pos), 0, concert.layout.paid_seats() - 1);
      if (idx && g.buy[static_cast<size_t>(*idx)] == SeatState::kTaken) g.buy[static_cast<size_t>(*idx)] = SeatState::kHeld;
      pos = end + 1;
    }
  }
  return g;
}

Status follow_seat_events(Context& ctx, uint64_t concert_id, const std::function<void()>& on_ready,
                          const std::function<bool(const std::string&)>& on_event) {
  const std::string channel = ctx.key(concert_id, "events");
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    auto conn = Redis::connect(ctx.config().redis);
    if (!conn.ok()) {
      if (std::chrono::steady_clock::now() > give_up) return std::move(conn).error();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    Redis& redis = **conn;
    TL_TRY(redis.command({"SUBSCRIBE", channel}));
    // Messages may be far apart: wait for them without a time limit.
    redisSetTimeout(redis.context(), timeval{0, 0});
    on_ready();
    for (;;) {
      void* raw = nullptr;
      if (redisGetReply(redis.context(), &raw) != REDIS_OK || raw == nullptr) break;
      RedisReply reply(static_cast<redisReply*>(raw));
      if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 && reply_string(reply->element[0]) == "message") {
        if (!on_event(reply_string(reply->element[2]))) return {};
      }
    }
    give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  }
}

bool SeatSnapshot::taken(Zone zone, int index) const { return get_bit(zone == Zone::kBuy ? buy_bits : free_bits, index); }

Result<SeatSnapshot> read_seat_snapshot(Context& ctx, const Concert& concert) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  const auto keys = seat_map_keys(ctx, concert.id, {"meta", "buy", "free", "holdseats", "owner", "holds"});
  const std::vector<std::string> args = {layout_token(concert.layout), "full"};
  TL_ASSIGN_OR_RETURN(RedisReply r, on_warm_map(ctx, concert, [&] { return redis->eval(view_script(), keys, args); }));
  if (r->elements != 9) return internal("unexpected reply from view.lua");
  SeatSnapshot s;
  s.generation = reply_integer(r->element[1]);
  s.buy_bits = reply_string(r->element[3]);
  s.free_bits = reply_string(r->element[4]);
  s.releases = reply_string(r->element[5]);
  const redisReply* holds = r->element[6];
  for (size_t i = 0; i + 1 < holds->elements; i += 2) {
    std::vector<int>& seats = s.hold_seats[reply_string(holds->element[i])];
    const std::string list = reply_string(holds->element[i + 1]);
    for (size_t pos = 0; pos < list.size();) {
      size_t end = list.find(',', pos);
      if (end == std::string::npos) end = list.size();
      if (auto idx = parse_int(std::string_view(list).substr(pos, end - pos), 0, INT32_MAX))
        seats.push_back(static_cast<int>(*idx));
      pos = end + 1;
    }
  }
  const redisReply* owners = r->element[7];
  for (size_t i = 0; i + 1 < owners->elements; i += 2)
    s.owners[reply_string(owners->element[i])] = reply_string(owners->element[i + 1]);
  const redisReply* deadlines = r->element[8];
  for (size_t i = 0; i + 1 < deadlines->elements; i += 2)
    s.hold_deadlines[reply_string(deadlines->element[i])] = reply_integer(deadlines->element[i + 1]);
  return s;
}

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
