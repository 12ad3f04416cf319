// Times are milliseconds since the Unix epoch, in UTC. MySQL stores them as
// DATETIME(3) in UTC; people read and write ISO 8601.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ticket/error.h"

namespace ticket {

using Millis = int64_t;

// "2026-12-31T20:00:00Z", "2026-12-31T21:00:00+01:00", "2026-12-31T20:00:00.250Z".
// A time zone (Z or an offset) is required, and the time in UTC must lie in
// the years 1000 to 9999, which is what a MySQL DATETIME holds.
Result<Millis> parse_iso8601(std::string_view text);

// 1000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
inline constexpr Millis kMinStorableMillis = -30610224000000;
inline constexpr Millis kMaxStorableMillis = 253402300799999;

// "2026-12-31T20:00:00Z", or with ".250" when there are milliseconds.
std::string format_iso8601(Millis ms);

// MySQL DATETIME(3) text "2026-12-31 20:00:00.250" <-> Millis.
std::string to_sql_datetime(Millis ms);
Result<Millis> from_sql_datetime(std::string_view text);

// Milliseconds now by this machine's clock.
Millis wall_clock_ms();

}  // namespace ticket
