// Tickets: one purchase (BUY) or free-ticket application (FREE),
// its seats, its status PROCESS -> SUCCESS | FAIL and its public code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ticket/concerts.h"
#include "ticket/context.h"
#include "ticket/money.h"
#include "ticket/seat_label.h"
#include "ticket/ticket_state.h"
#include "ticket/timestamp.h"

namespace ticket {

struct Ticket {
  uint64_t id = 0;
  std::string code;  // "TB-7K3MQ9XZ" (BUY) or "TF-..." (FREE)
  uint64_t concert_id = 0;
  Zone zone = Zone::kBuy;
  TicketStatus status = TicketStatus::kProcess;
  FailReason reason = FailReason::kNone;  // kNone unless status is kFail
  std::vector<Seat> seats;
  std::vector<int> seat_indexes;  // the seats' bits in their zone's bitmap
  Cents amount = 0;
  std::string currency;
  std::optional<Millis> hold_expires_at;
  bool past_deadline = false;  // by the MySQL clock, when read
  // The holder: the details given when the ticket was bought or applied
  // for, kept with the ticket whatever the customer gives later.
  std::string customer_name;
  int customer_age = 0;
  std::string customer_gender;  // "Male", "Female", "LGBT+" or "Unspecified"
  std::string customer_last4;   // of the security number
  std::string platform;         // of the payment, once paid
  std::string reference;
  std::optional<Millis> paid_at;
  Millis created_at = 0;
};

// A PROCESS ticket of `concert` in `zone` with a new code, not yet stored.
// The code cannot be guessed: "TB-" or "TF-" and 8 characters of Crockford's
// base 32 (40 bits from the system's cryptographic random generator);
// kInternal when that generator fails: there is no weaker one.
Result<Ticket> new_ticket(Zone zone, const Concert& concert);

// A code as typed (any case); kInvalid unless it has the shape of a code.
Result<std::string> parse_ticket_code(std::string_view text);

// One ticket with its seats and holder; kNotFound when there is none.
Result<Ticket> find_ticket(Context& ctx, std::string_view code);

}  // namespace ticket
