#include "common/seat_event.h"

#include <algorithm>
#include <array>

#include "ticket/seat_map.h"
#include "ticket/text.h"
#include "ticket/tickets.h"
#include "ticket/timestamp.h"

namespace ticket::cli {
namespace {

constexpr std::array<std::string_view, 6> kTicketEvents = {
    seat_event::kReleased, seat_event::kExpired, seat_event::kCancelled,
    seat_event::kSold,     seat_event::kGranted, seat_event::kHeld};
constexpr std::array<std::string_view, 2> kMapEvents = {seat_event::kRepaired,
                                                        seat_event::kRebuilt};

bool one_of(std::string_view name, const auto& names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The seats of a ticket event. Lua's cjson writes an empty list as {}.
Status read_seats(const nlohmann::json& j, const Layout& layout, SeatEvent& e) {
  if (!j.contains("seats")) return invalid("no \"seats\"");
  const nlohmann::json& seats = j["seats"];
  if (seats.is_object() && seats.empty()) return {};
  if (!seats.is_array()) return invalid("\"seats\" is not a list");
  const int64_t count = layout.seats(e.zone);
  for (const nlohmann::json& s : seats) {
    if (!s.is_number_integer()) return invalid("a seat is not a whole number: " + quote(s.dump()));
    const auto index = s.get<int64_t>();
    if (index < 0 || index >= count)
      return invalid("seat " + std::to_string(index) + " is outside the " + std::to_string(count) +
                     " seats of zone " + std::string(zone_name(e.zone)));
    e.seats.push_back(static_cast<int>(index));
  }
  return {};
}

Status read_ticket(const nlohmann::json& j, const Layout& layout, SeatEvent& e) {
  if (!j.contains("ticket") || !j["ticket"].is_string())
    return invalid("\"ticket\" is missing or not text");
  e.ticket = j["ticket"].get<std::string>();
  auto code = parse_ticket_code(e.ticket);
  if (!code.ok() || *code != e.ticket)
    return invalid("\"ticket\" is not a ticket code: " + quote(e.ticket));
  if (!j.contains("zone") || !j["zone"].is_string())
    return invalid("\"zone\" is missing or not text");
  const std::string zone = j["zone"].get<std::string>();
  const std::optional<Zone> parsed = parse_zone(zone);
  if (!parsed) return invalid("\"zone\" is not BUY or FREE: " + quote(zone));
  e.zone = *parsed;
  return read_seats(j, layout, e);
}

}  // namespace

Result<SeatEvent> parse_seat_event(std::string_view message, const Layout& layout) {
  SeatEvent e;
  e.json = nlohmann::json::parse(message, nullptr, false);
  if (e.json.is_discarded()) return invalid("not JSON");
  if (!e.json.is_object()) return invalid("not a JSON object");
  if (!e.json.contains("event") || !e.json["event"].is_string())
    return invalid("\"event\" is missing or not text");
  e.name = e.json["event"].get<std::string>();
  if (e.json.contains("gen") && !e.json["gen"].is_number_unsigned())
    return invalid("\"gen\" is not a whole number");
  if (one_of(e.name, kTicketEvents)) {
    TL_TRY(read_ticket(e.json, layout, e));
  } else if (!one_of(e.name, kMapEvents)) {
    return invalid("unknown event " + quote(e.name));
  }
  return e;
}

std::string describe_seat_event(const SeatEvent& event, const Concert& concert) {
  const std::string time = format_iso8601(wall_clock_ms());
  std::string line = time.substr(11, 12) + "  " + event.name;
  line.resize(std::max<size_t>(line.size() + 1, 24), ' ');
  line += event.ticket;
  for (int index : event.seats)
    line += " " + seat_label(seat_at(event.zone, index, concert.layout));
  if (event.name == seat_event::kRebuilt) line += "seat map rebuilt from MySQL";
  if (event.name == seat_event::kRepaired) line += "seat map repaired to agree with MySQL";
  return line;
}

}  // namespace ticket::cli
