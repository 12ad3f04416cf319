// The optional concert filter of a statement, written
// "(? IS NULL OR concert_id = ?)": one concert, or every concert when no id
// is given. Shared by stats.cc and ticket_removal.cc. Internal to libticket.
#pragma once

#include <cstdint>
#include <optional>

#include "db.h"

namespace ticket {

// Binds `concert_id` (NULL for every concert) to parameters 1 and 2 of
// `stmt`, the two placeholders of the filter.
inline void bind_concert_filter(sql::PreparedStatement& stmt, std::optional<uint64_t> concert_id) {
  if (concert_id) {
    stmt.setUInt64(1, *concert_id);
    stmt.setUInt64(2, *concert_id);
  } else {
    stmt.setNull(1, 0);
    stmt.setNull(2, 0);
  }
}

}  // namespace ticket
