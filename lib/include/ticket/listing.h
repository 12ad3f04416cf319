// Listing tickets and free-seat applications for operators (`tl-admin
// tickets`, `tl-admin applications`), page by page, from MySQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ticket/apply_free.h"
#include "ticket/context.h"
#include "ticket/tickets.h"
#include "ticket/timestamp.h"

namespace ticket {

// What a FREE ticket adds: the answers and the decision on it.
struct Application {
  Answers answers;
  std::string decided_by;  // empty while undecided
  std::optional<Millis> decided_at;
  std::string note;
};

struct ListedTicket {
  Ticket ticket;
  std::optional<Application> application;  // for FREE tickets
};

// Filters as typed, unchecked; absent ones do not filter.
struct TicketFilter {
  std::optional<std::string> concert;  // id or slug
  std::optional<std::string> status;   // PROCESS, SUCCESS or FAIL, any case
  std::optional<std::string> zone;     // BUY or FREE, any case
  std::optional<std::string> page;     // from 1 (default 1)
  std::optional<std::string>
      limit;  // tickets per page, 1 to kMaxPageLimit (default kDefaultPageLimit)
};

inline constexpr int kDefaultPageLimit = 100;
inline constexpr int kMaxPageLimit = 10000;

struct TicketPage {
  std::vector<ListedTicket> tickets;  // oldest first
  int64_t total = 0;                  // tickets matching the filter, on every page
  int page = 1;
  int limit = kDefaultPageLimit;
};

// One page of the matching tickets with their seats, holders (masked),
// payments and, for FREE tickets, applications. Two queries: the page and the
// total. A page past the last one is empty.
//
// Errors: kInvalid (a filter, the page or the limit), kNotFound (concert).
Result<TicketPage> list_tickets(Context& ctx, const TicketFilter& filter);

// The FREE tickets of one concert (filter.concert is required; filter.zone
// must be absent); with `pending`, only those in PROCESS.
Result<TicketPage> list_applications(Context& ctx, TicketFilter filter, bool pending);

}  // namespace ticket
