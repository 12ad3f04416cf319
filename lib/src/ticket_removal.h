// What deleting tickets would remove: for the commands that delete tickets
// (seed --reset, db reset), the refusal that protects paid and granted
// tickets and the audit row that says what went. Internal to libticket.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db.h"
#include "ticket/ticket_state.h"

namespace ticket {

// The tickets of one concert.
struct TicketRemoval {
  uint64_t concert_id = 0;
  std::string slug;
  std::map<TicketStatus, int64_t> by_status;
  int64_t total = 0;
  int64_t paid = 0;     // BUY tickets with a payment, whatever their status now
  int64_t granted = 0;  // FREE tickets granted a seat
  // Codes of the paid and granted tickets, oldest first; not all of them
  // when there are many (sold() says how many there are).
  std::vector<std::string> sold_codes;

  int64_t sold() const { return paid + granted; }
};

// The tickets of `concert_id`, or of every concert, one entry per concert
// that has any, by concert id. With `lock` the tickets and their payments
// are locked (FOR UPDATE) so that none is paid or granted before the caller's
// transaction ends. Tables that do not exist count as empty, so that a
// half-dropped schema can still be reset. kInternal when MySQL holds a
// status that is not one. Call inside Db::transaction.
Result<std::vector<TicketRemoval>> tickets_to_remove(Db& db, std::optional<uint64_t> concert_id,
                                                     bool lock);

// "3 paid and 1 granted tickets of concert 'summer-2026'", for every entry
// with sold tickets, joined by " and " (at most five concerts named).
std::string describe_sold(const std::vector<TicketRemoval>& removals);

// For AUDIT_LOG: "<what> 7 tickets (FAIL 1, PROCESS 2, SUCCESS 4); 3 paid,
// 1 granted: TB-..., TF-..." within the detail column's 2000 characters,
// ending "and N more" when not every code fits.
std::string removal_detail(const std::string& what, const std::vector<TicketRemoval>& removals);

}  // namespace ticket
