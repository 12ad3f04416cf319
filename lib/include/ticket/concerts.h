// Concerts: creation, lookup, closing and reopening (`tl-admin concert`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ticket/context.h"
#include "ticket/money.h"
#include "ticket/seat_label.h"
#include "ticket/timestamp.h"

namespace ticket {

struct Concert {
  uint64_t id = 0;
  std::string slug;
  std::string name;
  std::string venue;
  std::optional<Millis> starts_at;
  Layout layout;
  Cents price = 0;
  std::string currency;
  int hold_seconds = 300;
  int max_seats_per_ticket = 1;
  bool open = true;
};

// A concert's status as MySQL and the tools' output spell it: "OPEN" or
// "CLOSED"; and back (nothing for other text).
const char* concert_status_text(bool open);
std::optional<bool> parse_concert_status(std::string_view text);

// A concert as typed by a person or read from a seed file, unchecked. Absent
// optional fields take their defaults (venue "", no start time,
// free_seats 0, hold_seconds 300, max_seats_per_ticket 1).
struct ConcertInput {
  std::string slug;
  std::string name;
  std::optional<std::string> venue;
  std::optional<std::string> starts_at;
  std::string rows;
  std::string seats_per_row;
  std::optional<std::string> free_seats;
  std::string price;
  std::string currency;
  std::optional<std::string> hold_seconds;
  std::optional<std::string> max_seats_per_ticket;
};

// Limits on a concert's shape.
inline constexpr int kMaxSeatsPerRow = 1000;
inline constexpr int kMaxPaidSeats = 1000000;
inline constexpr int kMaxFreeSeats = 100000;
inline constexpr int kMaxHoldSeconds = 86400;
inline constexpr int kMaxSeatsPerTicket = 50;

// Checks every field; the first problem is a kInvalid naming the field.
// Refuses a start time outside the years 1000 to 9999 and a price whose
// max_seats_per_ticket multiple would not fit a ticket's amount (kMaxCents).
Result<Concert> validate_concert(const ConcertInput& input);

// Creates a concert; kConflict when the slug is taken.
Result<Concert> create_concert(Context& ctx, const Concert& concert);

// Every concert, ordered by id.
Result<std::vector<Concert>> list_concerts(Context& ctx);

// By numeric id or by slug; kNotFound when there is none.
Result<Concert> find_concert(Context& ctx, std::string_view id_or_slug);

// Stops sales and applications; holds already made may still be paid.
Result<Concert> close_concert(Context& ctx, std::string_view id_or_slug);

// Reopens a closed concert for sales and applications. Both write an audit
// row when they change the status and nothing when it already is so.
Result<Concert> open_concert(Context& ctx, std::string_view id_or_slug);

// For people: "10 rows x 20 seats, 100 free seats".
std::string describe_layout(const Layout& layout);

// The layout as the seat map in Redis knows it, e.g. "10x20+100".
std::string layout_token(const Layout& layout);

}  // namespace ticket
