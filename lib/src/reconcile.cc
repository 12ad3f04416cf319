#include "ticket/reconcile.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "active_seats.h"
#include "audit_sql.h"
#include "redis.h"
#include "script_replies.h"
#include "seat_map_scripts.h"
#include "ticket/audit.h"
#include "ticket/expire.h"
#include "ticket/seat_map.h"
#include "ticket/seat_map_views.h"
#include "ticket/seat_map_writes.h"

namespace ticket {
namespace {

constexpr int kRepairAttempts = 5;

// The longest detail AUDIT_LOG keeps (its column).
constexpr size_t kMaxDetail = 2000;

struct Leak {
  Zone zone = Zone::kBuy;
  int index = 0;
  std::string owner;  // as seen in Redis; "" for none
};

struct Drift {
  std::vector<ActiveSeat> missing;  // from MySQL
  std::vector<Leak> leaked;
  std::set<std::string> dead_holds;  // hold codes nothing explains
  std::string releases;              // "rel" as read
};

// Where the map and MySQL differ, seat by seat.
struct Differences {
  std::vector<std::pair<Zone, int>> missing;  // MySQL has it, Redis shows it free
  std::vector<std::pair<Zone, int>> leaked;   // Redis shows it taken, nothing explains it
  std::set<std::string> dead_holds;
  bool none() const { return missing.empty() && leaked.empty(); }
};

unsigned byte_at(std::string_view bits, size_t at) {
  return at < bits.size() ? static_cast<unsigned char>(bits[at]) : 0u;
}

// One zone's bitmaps a byte at a time; `excused` are the seats of live
// holds that MySQL does not know yet.
void differ(Zone zone, std::string_view redis, std::string_view mysql, std::string_view excused,
            int seats, Differences& d) {
  for (size_t at = 0; at * 8 < static_cast<size_t>(seats); ++at) {
    const unsigned r = byte_at(redis, at), m = byte_at(mysql, at);
    const unsigned missing = m & ~r, leaked = r & ~m & ~byte_at(excused, at);
    if (((missing | leaked) & 0xffu) == 0) continue;
    for (int bit = 0; bit < 8; ++bit) {
      const int index = static_cast<int>(at * 8) + bit;
      if (index >= seats) break;
      if (missing & (0x80u >> bit)) d.missing.push_back({zone, index});
      if (leaked & (0x80u >> bit)) d.leaked.push_back({zone, index});
    }
  }
}

Differences differences(const SeatSnapshot& snap, const TakenSeats& mysql, const Layout& layout,
                        Millis now) {
  Differences d;
  // Seats held by a buy that has not reached MySQL yet.
  std::string live_held(mysql.buy_bits.size(), '\0');
  for (const auto& [code, seats] : snap.hold_seats) {
    if (mysql.codes.count(code)) continue;
    auto deadline = snap.hold_deadlines.find(code);
    const bool live =
        deadline != snap.hold_deadlines.end() && now < deadline->second + kOrphanHoldGraceMs;
    if (!live) {
      d.dead_holds.insert(code);
      continue;
    }
    for (int index : seats) {
      if (index >= 0 && index < layout.paid_seats()) set_bit(live_held, index);
    }
  }
  differ(Zone::kBuy, snap.buy_bits, mysql.buy_bits, live_held, layout.paid_seats(), d);
  differ(Zone::kFree, snap.free_bits, mysql.free_bits, "", layout.free_seats, d);
  return d;
}

std::vector<std::string> owner_fields(const std::vector<std::pair<Zone, int>>& seats) {
  std::vector<std::string> out;
  for (const auto& [zone, index] : seats) out.push_back(owner_field(zone, index));
  return out;
}

// The comparison the report and the repair rest on, of the seats the first
// look found: Redis with those seats' owners, then MySQL, with the tickets of
// the rows where a seat is missing (a repair needs them), then the differing
// seats again. A seat that differs now but did not at the first look
// changed meanwhile, as a seat that moves between the last two reads: it is
// not drift, and the next check sees it; so is a missing seat whose ticket
// has ended by the time its row is read.
Result<Drift> compare_in_full(Context& ctx, const Concert& concert, const Differences& seen) {
  TL_ASSIGN_OR_RETURN(SeatSnapshot snap,
                      read_seat_snapshot(ctx, concert, owner_fields(seen.leaked)));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  TL_ASSIGN_OR_RETURN(TakenSeats taken, load_taken_seats(*db, concert, !snap.hold_seats.empty()));
  const Differences found = differences(snap, taken, concert.layout, wall_clock_ms());

  Drift d;
  d.releases = snap.releases;
  d.dead_holds = found.dead_holds;
  const std::set<std::pair<Zone, int>> seen_missing(seen.missing.begin(), seen.missing.end()),
      seen_leaked(seen.leaked.begin(), seen.leaked.end());
  std::set<std::pair<Zone, int>> missing, rows;
  for (const auto& [zone, index] : found.missing) {
    if (!seen_missing.count({zone, index})) continue;
    missing.insert({zone, index});
    rows.insert({zone, seat_at(zone, index, concert.layout).row});
  }
  if (!rows.empty()) {
    TL_ASSIGN_OR_RETURN(std::vector<ActiveSeat> active, load_active_seats(*db, concert, rows));
    for (ActiveSeat& a : active) {
      if (missing.count({a.zone, a.index})) d.missing.push_back(std::move(a));
    }
  }
  for (const auto& [zone, index] : found.leaked) {
    if (!seen_leaked.count({zone, index})) continue;
    auto owner = snap.owners.find(owner_field(zone, index));
    d.leaked.push_back({zone, index, owner == snap.owners.end() ? "" : owner->second});
  }
  if (d.missing.empty() && d.leaked.empty()) return d;

  // A change between the two reads looks like drift; look again.
  std::vector<std::string> fields;
  for (const Leak& l : d.leaked) fields.push_back(owner_field(l.zone, l.index));
  TL_ASSIGN_OR_RETURN(SeatSnapshot again, read_seat_snapshot(ctx, concert, fields));
  std::erase_if(d.missing, [&](const ActiveSeat& a) { return again.taken(a.zone, a.index); });
  std::erase_if(d.leaked, [&](const Leak& l) {
    auto owner = again.owners.find(owner_field(l.zone, l.index));
    return !again.taken(l.zone, l.index) ||
           (owner == again.owners.end() ? "" : owner->second) != l.owner;
  });
  return d;
}

// One comparison. The first look compares the bitmaps alone: Redis without
// the owners, MySQL without a ticket per seat, a fraction of the reads on a
// large concert. That settles the usual case, where nothing differs; where
// something does, compare_in_full() reads what the report and the repair
// need of those seats.
Result<Drift> compare(Context& ctx, const Concert& concert) {
  TL_ASSIGN_OR_RETURN(SeatSnapshot snap, read_seat_snapshot(ctx, concert, {}));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  TL_ASSIGN_OR_RETURN(TakenSeats taken, load_taken_seats(*db, concert, !snap.hold_seats.empty()));
  Differences seen = differences(snap, taken, concert.layout, wall_clock_ms());
  if (!seen.none()) return compare_in_full(ctx, concert, seen);
  Drift d;
  d.releases = snap.releases;
  d.dead_holds = std::move(seen.dead_holds);
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

// One repair: the script, then the release of dead holds; the seats they
// really changed are added to `done`.
Status apply_repair(Context& ctx, const Concert& concert, const Drift& d, RepairReply& done) {
  std::vector<std::string> args = {d.releases, std::to_string(d.missing.size()),
                                   std::to_string(d.leaked.size())};
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
  TL_ASSIGN_OR_RETURN(RedisReply r, run_script(ctx, SeatScript::kReconcile, concert.id, args));
  TL_ASSIGN_OR_RETURN(RepairReply repaired, decode_reconcile(r.get()));
  done.taken.insert(done.taken.end(), repaired.taken.begin(), repaired.taken.end());
  done.freed.insert(done.freed.end(), repaired.freed.begin(), repaired.freed.end());
  // After the script: a release bumps "rel", which the script checks before
  // it marks a missing seat taken.
  for (const std::string& code : d.dead_holds) {
    TL_ASSIGN_OR_RETURN(std::vector<int> freed, release_seats(ctx, concert.id, Zone::kBuy, code, {},
                                                              seat_event::kReleased));
    for (int index : freed) done.freed.push_back({Zone::kBuy, index});
  }
  return {};
}

// " A1 A2 B7", sorted, cut to what fits in `budget` characters with
// " and N more".
std::string seat_list(const std::vector<std::pair<Zone, int>>& seats, const Concert& c,
                      size_t budget) {
  std::vector<Seat> sorted;
  for (const auto& [zone, index] : seats) sorted.push_back(seat_at(zone, index, c.layout));
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string out;
  size_t listed = 0;
  for (const Seat& seat : sorted) {
    const std::string item = " " + seat_label(seat);
    // Room for " and 9999999999 more".
    if (out.size() + item.size() + 24 > budget) break;
    out += item;
    ++listed;
  }
  if (listed < sorted.size()) out += " and " + std::to_string(sorted.size() - listed) + " more";
  return out;
}

// One AUDIT_LOG row for the seats a repair changed in Redis.
Status record_repair(Context& ctx, const Concert& concert, const RepairReply& done) {
  if (done.taken.empty() && done.freed.empty()) return {};
  const size_t half = kMaxDetail / 2 - 16;
  std::string detail;
  if (!done.taken.empty()) detail += "marked taken:" + seat_list(done.taken, concert, half);
  if (!done.freed.empty()) {
    if (!detail.empty()) detail += "; ";
    detail += "freed:" + seat_list(done.freed, concert, half);
  }
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction([&]() -> Status {
    record_audit(*db, ctx.actor(), {action::kRepaired, concert.id, std::nullopt, "", detail});
    return {};
  });
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
  RepairReply done;
  Status repaired;
  for (int attempt = 0; attempt < kRepairAttempts && repaired.ok(); ++attempt) {
    repaired = apply_repair(ctx, concert, d, done);
    if (!repaired.ok()) break;
    auto again = compare(ctx, concert);
    if (!again.ok()) {
      repaired = std::move(again).error();
      break;
    }
    d = std::move(*again);
    if (d.missing.empty() && d.leaked.empty()) {
      report.repaired = true;
      break;
    }
  }
  // What was changed is recorded even when a later step failed.
  TL_TRY(record_repair(ctx, concert, done));
  TL_TRY(repaired);
  return report;
}

}  // namespace ticket
