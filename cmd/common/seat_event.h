// The events a concert's channel <prefix>:{c<ID>}:events carries (one JSON
// object per change of its seat map), checked before anything is shown:
// whoever can publish on the channel can send anything.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ticket/concerts.h"
#include "ticket/error.h"

namespace ticket::cli {

struct SeatEvent {
  // held, released, expired, cancelled, sold or granted (of one ticket's
  // seats), or repaired or rebuilt (of the whole map).
  std::string name;
  std::string ticket;  // its code; empty for repaired and rebuilt
  Zone zone = Zone::kBuy;
  std::vector<int> seats;  // indexes within the zone
  nlohmann::json json;     // the event as published
};

// The event in `message`, or kInvalid saying what is wrong with it: not a
// JSON object, an unknown event, a field of the wrong type, a ticket that is
// not a ticket code, a seat outside the concert. Fields it does not know are
// allowed.
Result<SeatEvent> parse_seat_event(std::string_view message, const Layout& layout);

// One line: "11:02:03.250  held      TB-7K3MQ9XZ A12 A13".
std::string describe_seat_event(const SeatEvent& event, const Concert& concert);

}  // namespace ticket::cli
