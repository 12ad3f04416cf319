// What the seat-map files share: the Lua scripts, running one on a concert's
// map, the rebuild-and-retry of a cold map, and the encodings the scripts
// use for seats (zone letters, owner fields, index lists, bitmaps).
// Internal to libticket.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "redis.h"
#include "ticket/concerts.h"
#include "ticket/context.h"

namespace ticket {

// The seat map's scripts (lib/lua/).
enum class SeatScript { kHold, kRelease, kReleaseMany, kConfirm, kRebuild, kView, kReconcile };

// The script as sent to Redis: `sharded` publishes with SPUBLISH.
const Script& seat_script(SeatScript script, bool sharded);

// Runs the script on the concert's map, with all its keys (seat_map.h). On
// a Redis Cluster the scripts publish their events with SPUBLISH, to the
// shard of the concert's slot (docs/design.md §14).
Result<RedisReply> run_script(Context& ctx, SeatScript script, uint64_t concert_id,
                              const std::vector<std::string>& args);

// "b" for the paid zone, "f" for the free one, as the scripts take it.
char zone_letter(Zone zone);

// The owner hash's field of a seat: "b12", "f3"; and back.
std::string owner_field(Zone zone, int index);
std::optional<std::pair<Zone, int>> parse_owner_field(std::string_view field);

// Index lists as holdseats keeps them: "3,4,5". Parsing skips what is not
// an index.
std::string join_indexes(const std::vector<int>& seats);
std::vector<int> parse_indexes(std::string_view list);

// Bit `index` of a Redis bitmap (bit 0 = the most significant bit of byte 0).
bool get_bit(std::string_view bitmap, int index);
void set_bit(std::string& bitmap, int index);

}  // namespace ticket
