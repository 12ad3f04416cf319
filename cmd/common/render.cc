#include "common/render.h"

#include "common/table.h"

namespace ticket::cli {

nlohmann::json concert_json(const Concert& c) {
  return {
      {"id", c.id},
      {"slug", c.slug},
      {"name", c.name},
      {"venue", c.venue},
      {"starts_at", c.starts_at ? nlohmann::json(format_iso8601(*c.starts_at)) : nlohmann::json(nullptr)},
      {"rows", c.layout.rows},
      {"seats_per_row", c.layout.seats_per_row},
      {"free_seats", c.layout.free_seats},
      {"price", format_money(c.price)},
      {"currency", c.currency},
      {"hold_seconds", c.hold_seconds},
      {"max_seats_per_ticket", c.max_seats_per_ticket},
      {"status", c.open ? "OPEN" : "CLOSED"},
  };
}

std::string concert_text(const Concert& c) {
  Fields f;
  f.add("Concert", std::to_string(c.id) + " " + c.slug);
  f.add("Name", c.name);
  if (!c.venue.empty()) f.add("Venue", c.venue);
  f.add("Starts", c.starts_at ? format_iso8601(*c.starts_at) : "not set");
  f.add("Seats", describe_layout(c.layout));
  f.add("Price", format_money(c.price) + " " + c.currency);
  f.add("Hold", std::to_string(c.hold_seconds) + " s");
  f.add("Per ticket", "up to " + std::to_string(c.max_seats_per_ticket) +
                          (c.max_seats_per_ticket == 1 ? " seat" : " seats"));
  f.add("Status", c.open ? "open" : "closed");
  return f.str();
}

}  // namespace ticket::cli
