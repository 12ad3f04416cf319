// Counting tickets (SPEC §6 `tl-admin count`).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "ticket/context.h"

namespace ticket {

struct TicketCounts {
  // status ("PROCESS", "SUCCESS", "FAIL") -> zone ("BUY", "FREE") -> tickets
  std::map<std::string, std::map<std::string, int64_t>> by_status_zone;
  // reason of FAIL tickets ("EXPIRED", "REJECTED", "CANCELLED") -> tickets
  std::map<std::string, int64_t> failed_by_reason;
  int64_t total = 0;
};

// Over every concert, or one.
Result<TicketCounts> count_tickets(Context& ctx, std::optional<uint64_t> concert_id);

}  // namespace ticket
