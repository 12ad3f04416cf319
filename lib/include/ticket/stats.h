// Counting tickets (`tl-admin count`) and the figures of one
// concert's sale (`tl-admin stats`).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ticket/context.h"
#include "ticket/money.h"
#include "ticket/ticket_state.h"

namespace ticket {

struct TicketCounts {
  // status -> zone -> tickets, with every status and zone (0 when none)
  std::map<TicketStatus, std::map<Zone, int64_t>> by_status_zone;
  // FAIL tickets by reason, with every reason but kNone (0 when none)
  std::map<FailReason, int64_t> failed_by_reason;
  int64_t total = 0;
};

// Over every concert, or one. kInternal when MySQL holds a state that is
// not one.
Result<TicketCounts> count_tickets(Context& ctx, std::optional<uint64_t> concert_id);

// The sale of one concert, from MySQL. Seats are counted, not tickets; a
// ticket counts by its status now.
struct SaleStats {
  uint64_t concert_id = 0;
  std::string slug;
  int64_t sold = 0;           // paid-zone seats of SUCCESS tickets
  int64_t held = 0;           // paid-zone seats of PROCESS tickets (held, not yet paid)
  int64_t expired = 0;        // paid-zone seats of FAIL/EXPIRED tickets (holds that ran out)
  int64_t cancelled = 0;      // paid-zone seats of FAIL/CANCELLED tickets
  int64_t free_granted = 0;   // free seats of SUCCESS tickets
  int64_t free_pending = 0;   // applications in PROCESS
  int64_t free_rejected = 0;  // applications FAIL/REJECTED
  int64_t seats = 0;          // paid and free seats of the concert
  int64_t checked_in = 0;     // tickets admitted at a gate (tl-admin checkin)
  Cents revenue = 0;          // amounts of SUCCESS paid tickets
  // Payments whose money is due back (REFUND_DUE), and their amounts.
  int64_t refunds_due = 0;
  Cents refunds_due_amount = 0;
  std::string currency;
  // (sold + free_granted) / seats, in percent with one decimal; 0 without seats.
  double fill_percent = 0;
  // Held -> paid: sold / (sold + expired + held), in percent with one
  // decimal; nullopt before any seat was held. Cancelled seats are left out:
  // cancelling is the operator's doing, not the buyer's.
  std::optional<double> conversion_percent;
};

// part / whole in percent, rounded to one decimal; 0 when whole is 0.
double percent_of(int64_t part, int64_t whole);

// Errors: kInvalid, kNotFound (concert), kUnavailable.
Result<SaleStats> sale_stats(Context& ctx, std::string_view concert);

}  // namespace ticket
