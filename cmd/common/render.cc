#include "common/render.h"

#include "common/table.h"
#include "ticket/customer.h"

namespace ticket::cli {

nlohmann::json concert_json(const Concert& c) {
  return {
      {"id", c.id},
      {"slug", c.slug},
      {"name", c.name},
      {"venue", c.venue},
      {"starts_at",
       c.starts_at ? nlohmann::json(format_iso8601(*c.starts_at)) : nlohmann::json(nullptr)},
      {"rows", c.layout.rows},
      {"seats_per_row", c.layout.seats_per_row},
      {"free_seats", c.layout.free_seats},
      {"price", format_money(c.price)},
      {"currency", c.currency},
      {"hold_seconds", c.hold_seconds},
      {"max_seats_per_ticket", c.max_seats_per_ticket},
      {"status", ticket::concert_status_text(c.open)},
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

nlohmann::json ticket_json(const Ticket& t) {
  nlohmann::json seats = nlohmann::json::array();
  for (const Seat& s : t.seats) seats.push_back(seat_label(s));
  auto time_or_null = [](const std::optional<Millis>& ms) {
    return ms ? nlohmann::json(format_iso8601(*ms)) : nlohmann::json(nullptr);
  };
  nlohmann::json j = {
      {"code", t.code},
      {"concert_id", t.concert_id},
      {"zone", std::string(zone_name(t.zone))},
      {"status", std::string(status_name(t.status))},
      {"reason", t.reason == FailReason::kNone
                     ? nlohmann::json(nullptr)
                     : nlohmann::json(std::string(reason_name(t.reason)))},
      {"seats", seats},
      {"amount", format_money(t.amount)},
      {"currency", t.currency},
      {"hold_expires_at", time_or_null(t.hold_expires_at)},
      {"paid_at", time_or_null(t.paid_at)},
  };
  if (!t.customer_name.empty())
    j["customer"] = {{"name", t.customer_name}, {"id_number", mask_id(t.customer_last4)}};
  return j;
}

std::string seat_list(const Ticket& t) {
  std::string out;
  for (const Seat& s : t.seats) out += (out.empty() ? "" : " ") + seat_label(s);
  return out.empty() ? "-" : out;
}

std::string ticket_text(const Ticket& t) {
  Fields f;
  f.add("Ticket", t.code);
  f.add("Concert", std::to_string(t.concert_id));
  f.add("Zone", std::string(zone_name(t.zone)));
  f.add("Status", status_text(t.status, t.reason));
  f.add("Seats", seat_list(t));
  if (t.zone == Zone::kBuy) f.add("Amount", format_money(t.amount) + " " + t.currency);
  if (t.status == TicketStatus::kProcess && t.hold_expires_at)
    f.add("Pay by", format_iso8601(*t.hold_expires_at));
  if (t.paid_at)
    f.add("Paid", format_iso8601(*t.paid_at) + " (" + t.platform + " " + t.reference + ")");
  if (!t.customer_name.empty())
    f.add("Customer", t.customer_name + ", id " + mask_id(t.customer_last4));
  return f.str();
}

nlohmann::json availability_json(const Availability& a) {
  return {
      {"concert", {{"id", a.concert.id}, {"slug", a.concert.slug}, {"name", a.concert.name}}},
      {"buy",
       {{"total", a.buy_total}, {"free", a.buy_free}, {"held", a.buy_held}, {"sold", a.buy_sold}}},
      {"free_zone",
       {{"total", a.free_total}, {"granted", a.free_granted}, {"pending", a.free_pending}}}};
}

}  // namespace ticket::cli
