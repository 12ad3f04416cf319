#include "ticket/reconcile.h"

#include <algorithm>
#include <map>
#include <set>

#include "active_seats.h"
#include "ticket/expire.h"
#include "ticket/seat_map.h"
#include "db.h"
#include "redis.h"

namespace ticket {
namespace embedded_lua {
extern const std::string_view k_reconcile_lua;
}  // namespace embedded_lua

namespace {

constexpr int kRepairAttempts = 5;

const Script& reconcile_script() {
  static const Script s("reconcile.lua", embedded_lua::k_reconcile_lua);
  return s;
}

char zone_letter(Zone zone) { return zone == Zone::kBuy ? 'b' : 'f'; }

std::string owner_field(Zone zone, int index) { return std::string(1, zone_letter(zone)) + std::to_string(index); }

struct Leak {
  Zone zone = Zone::kBuy;
  int index = 0;
  std::string owner;  // as seen in Redis; "" for none
};

struct Drift {
  std::vector<ActiveSeat> missing;           // from MySQL
  std::vector<Leak> leaked;
  std::set<std::string> dead_holds;          // hold codes nothing explains
  std::string releases;                      // "rel" as read
};

// One comparison: Redis, then MySQL, then the differing seats again.
Result<Drift> compare(Context& ctx, const Concert& concert) {
  TL_ASSIGN_OR_RETURN(SeatSnapshot snap, read_seat_snapshot(ctx, concert));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  TL_ASSIGN_OR_RETURN(std::vector<ActiveSeat> active, load_active_seats(*db, concert));
  const Millis now = wall_clock_ms();

  Drift d;
  d.releases = snap.releases;
  std::set<std::pair<Zone, int>> in_mysql;
  std::set<std::string> active_codes;
  for (const ActiveSeat& a : active) {
    in_mysql.insert({a.zone, a.index});
    active_codes.insert(a.code);
    if (!snap.taken(a.zone, a.index)) d.missing.push_back(a);
  }
  // Seats held by a buy that has not reached MySQL yet.
  std::set<int> live_held;
  for (const auto& [code, seats] : snap.hold_seats) {
    if (active_codes.count(code)) continue;
    auto deadline = snap.hold_deadlines.find(code);
    const bool live = deadline != snap.hold_deadlines.end() && now < deadline->second + kOrphanHoldGraceMs;
    if (live) {
      live_held.insert(seats.begin(), seats.end());
    } else {
      d.dead_holds.insert(code);
    }
  }
  for (Zone zone : {Zone::kBuy, Zone::kFree}) {
    for (int i = 0; i < concert.layout.seats(zone); ++i) {
      if (!snap.taken(zone, i) || in_mysql.count({zone, i})) continue;
      if (zone == Zone::kBuy && live_held.count(i)) continue;
      auto owner = snap.owners.find(owner_field(zone, i));
      d.leaked.push_back({zone, i, owner == snap.owners.end() ? "" : owner->second});
    }
  }
  if (d.missing.empty() && d.leaked.empty()) return d;

  // A change between the two reads looks like drift; look again.
  TL_ASSIGN_OR_RETURN(SeatSnapshot again, read_seat_snapshot(ctx, concert));
  std::erase_if(d.missing, [&](const ActiveSeat& a) { return again.taken(a.zone, a.index); });
  std::erase_if(d.leaked, [&](const Leak& l) {
    auto owner = again.owners.find(owner_field(l.zone, l.index));
    return !again.taken(l.zone, l.index) || (owner == again.owners.end() ? "" : owner->second) != l.owner;
  });
  return d;
}

std::vector<Seat> seats_of(const Drift& d, const Concert& c, bool missing) {
  std::vector<Seat> out;
  if (missing) {
    for (const ActiveSeat& a : d.missing) out.push_back(seat_at(a.zone, a.index, c.layout));
  } else {
    for (const Leak& l : d.leaked) out.push_back(seat_at(l.zone, l.index, c.layout));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status apply_repair(Context& ctx, const Concert& concert, const Drift& d) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  for (const std::string& code : d.dead_holds)
    TL_TRY(release_seats(ctx, concert.id, Zone::kBuy, code, {}, seat_event::kReleased));
  std::vector<std::string> args = {d.releases, std::to_string(d.missing.size()), std::to_string(d.leaked.size())};
  for (const ActiveSeat& a : d.missing) {
    args.push_back(std::string(1, zone_letter(a.zone)));
    args.push_back(std::to_string(a.index));
    args.push_back(a.code);
    args.push_back(a.paid_hold ? std::to_string(a.deadline) : "");
  }
  for (const Leak& l : d.leaked) {
    args.push_back(std::string(1, zone_letter(l.zone)));
    args.push_back(std::to_string(l.index));
    args.push_back(l.owner);
  }
  const auto keys = seat_map_keys(ctx, concert.id, {"meta", "buy", "free", "owner", "holdseats", "holds", "events"});
  TL_TRY(redis->eval(reconcile_script(), keys, args));
  return {};
}

}  // namespace

Result<ReconcileReport> reconcile(Context& ctx, const Concert& concert, bool repair) {
  ReconcileReport report;
  report.concert_id = concert.id;
  report.slug = concert.slug;
  TL_ASSIGN_OR_RETURN(Drift found, compare(ctx, concert));
  report.missing = seats_of(found, concert, true);
  report.leaked = seats_of(found, concert, false);
  if (!repair || !report.drift()) return report;

  Drift d = std::move(found);
  for (int attempt = 0; attempt < kRepairAttempts; ++attempt) {
    TL_TRY(apply_repair(ctx, concert, d));
    TL_ASSIGN_OR_RETURN(d, compare(ctx, concert));
    if (d.missing.empty() && d.leaked.empty()) {
      report.repaired = true;
      break;
    }
  }
  return report;
}

}  // namespace ticket
