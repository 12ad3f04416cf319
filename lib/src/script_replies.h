// The replies of the seat-map scripts (lib/lua/), each decoded in one place.
// A reply of the wrong shape (wrong type, missing element, text where a
// number is due) is kInternal naming the script. Internal to libticket.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "redis.h"
#include "ticket/concerts.h"
#include "ticket/error.h"
#include "ticket/seat_map_views.h"

namespace ticket {

// Any script's {"cold"}: the map is missing.
bool is_cold(const redisReply* r);

// hold.lua: {"ok", gen, index...} | {"taken", index...} | {"none"}.
struct HoldReply {
  enum class Outcome { kHeld, kTaken, kNoRow };
  Outcome outcome = Outcome::kHeld;
  std::vector<int> seats;  // held, or taken
};
Result<HoldReply> decode_hold(const redisReply* r);

// release.lua: {"ok", gen, freed index...} | {"cold"}: the seats it freed.
Result<std::vector<int>> decode_release(const redisReply* r);

// confirm.lua: {"ok", gen} | {"ended"} | {"cold"} | {"pending"} (kConflict).
Status decode_confirm(const redisReply* r);

// rebuild.lua: {"ok", gen} (true) | {"lost"} (false).
Result<bool> decode_rebuild(const redisReply* r);

// view.lua "counts", "map" and "full" (also "check", which has fewer owners).
Result<SeatCounts> decode_view_counts(const redisReply* r);
Result<SeatGrid> decode_view_map(const redisReply* r, const Layout& layout);
Result<SeatSnapshot> decode_view_full(const redisReply* r);

// reconcile.lua: {"ok", {field...}, {field...}} | {"cold"}: the seats it
// marked taken and the seats it freed.
struct RepairReply {
  bool cold = false;
  std::vector<std::pair<Zone, int>> taken;
  std::vector<std::pair<Zone, int>> freed;
};
Result<RepairReply> decode_reconcile(const redisReply* r);

}  // namespace ticket
