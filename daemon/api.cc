#include "api.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "common/render.h"
#include "common/report_html.h"
#include "ticket/availability.h"
#include "ticket/concerts.h"
#include "ticket/report.h"
#include "ticket/seat_map_views.h"
#include "ticket/text.h"
#include "ticket/tickets.h"

namespace ticketlemond {
namespace {

using nlohmann::json;

HttpResponse ok(const json& body) {
  return {200, "application/json",
          body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"};
}

// The status of a library error. What the caller can act on is said; a
// server or configuration problem is the operator's, logged, and answered
// without its details.
HttpResponse failed(const ticket::Error& e, const std::string& target) {
  switch (e.kind()) {
    case ticket::ErrorKind::kInvalid: return api_error(400, e.message());
    case ticket::ErrorKind::kNotFound: return api_error(404, e.message());
    case ticket::ErrorKind::kUnavailable:
      spdlog::warn("GET {}: {}", target, e.message());
      return api_error(503, "MySQL or Redis is unavailable; try again");
    default:
      spdlog::error("GET {}: {}", target, e.message());
      return api_error(500, "the daemon could not answer; see its log");
  }
}

std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < path.size()) {
    size_t slash = path.find('/', at);
    if (slash == std::string_view::npos) slash = path.size();
    out.emplace_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return out;
}

// The value of `name` in a query string ("bucket=5m&x=1"), if given.
std::optional<std::string> query_value(std::string_view query, std::string_view name) {
  size_t at = 0;
  while (at <= query.size()) {
    size_t amp = query.find('&', at);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view item = query.substr(at, amp - at);
    const size_t eq = item.find('=');
    if (item.substr(0, eq) == name)
      return std::string(eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1));
    at = amp + 1;
  }
  return std::nullopt;
}

char seat_char(ticket::SeatState s) {
  switch (s) {
    case ticket::SeatState::kFree: return '.';
    case ticket::SeatState::kHeld: return 'o';
    case ticket::SeatState::kTaken: return 'X';
  }
  return '?';
}

// The seats' text as the feed makes it, answered as it is (a concert of a
// million seats is a megabyte of it).
ticket::Result<HttpResponse> seats(ticket::Context& ctx, const std::string& concert) {
  TL_ASSIGN_OR_RETURN(ticket::Concert c, ticket::find_concert(ctx, concert));
  TL_ASSIGN_OR_RETURN(const std::string text, seats_text(ctx, c, false));
  return HttpResponse{200, "application/json", text + "\n"};
}

ticket::Result<json> concert(ticket::Context& ctx, const std::string& id_or_slug) {
  TL_ASSIGN_OR_RETURN(ticket::Availability a, ticket::availability(ctx, id_or_slug, false));
  json out = ticket::cli::availability_json(a);
  out["concert"] = ticket::cli::concert_json(a.concert);
  return out;
}

// The report as JSON, or with ?format=html as the page tl-admin report
// writes (the dashboard shows it).
ticket::Result<HttpResponse> report(ticket::Context& ctx, const std::string& concert,
                                    std::string_view query) {
  TL_ASSIGN_OR_RETURN(const ticket::Millis bucket,
                      ticket::parse_bucket(query_value(query, "bucket").value_or("1h")));
  const std::string format = query_value(query, "format").value_or("json");
  if (format != "json" && format != "html")
    return ticket::invalid("format must be json or html, got " + ticket::quote(format));
  TL_ASSIGN_OR_RETURN(ticket::Report r, ticket::build_report(ctx, concert, bucket));
  if (format == "html")
    return HttpResponse{200, "text/html; charset=utf-8", ticket::cli::report_html(r)};
  return HttpResponse{200, "application/json", ticket::report_json(r) + "\n"};
}

ticket::Result<json> concerts(ticket::Context& ctx) {
  TL_ASSIGN_OR_RETURN(std::vector<ticket::Concert> all, ticket::list_concerts(ctx));
  json list = json::array();
  for (const ticket::Concert& c : all) list.push_back(ticket::cli::concert_json(c));
  return json{{"concerts", list}};
}

ticket::Result<json> ticket_of(ticket::Context& ctx, const std::string& code) {
  TL_ASSIGN_OR_RETURN(const std::string parsed, ticket::parse_ticket_code(code));
  TL_ASSIGN_OR_RETURN(ticket::Ticket t, ticket::find_ticket(ctx, parsed));
  return json{{"ticket", ticket::cli::ticket_json(t)}};
}

}  // namespace

ticket::Result<std::string> seats_text(ticket::Context& ctx, const ticket::Concert& c,
                                       bool snapshot) {
  TL_ASSIGN_OR_RETURN(ticket::SeatGrid grid, ticket::read_seat_grid(ctx, c));
  std::string buy, free;
  buy.reserve(grid.buy.size());
  for (ticket::SeatState s : grid.buy) buy += seat_char(s);
  for (ticket::SeatState s : grid.free) free += seat_char(s);
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (snapshot) out["type"] = "snapshot";
  out["gen"] = grid.counts.generation;
  out["concert"] = {{"id", c.id},
                    {"slug", c.slug},
                    {"rows", c.layout.rows},
                    {"seats_per_row", c.layout.seats_per_row},
                    {"free_seats", c.layout.free_seats}};
  out["buy"] = std::move(buy);
  out["free"] = std::move(free);
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse api_error(unsigned status, const std::string& message) {
  return {status, "application/json",
          json{{"error", {{"code", status}, {"message", message}}}}.dump(
              -1, ' ', false, json::error_handler_t::replace) +
              "\n"};
}

HttpResponse api_get(ticket::Context& ctx, const std::string& target) {
  const size_t mark = target.find('?');
  const std::string path = target.substr(0, mark);
  const std::string_view query =
      mark == std::string::npos ? std::string_view() : std::string_view(target).substr(mark + 1);
  const std::vector<std::string> s = segments(path.substr(1));
  const auto as_json = [](ticket::Result<json> j) -> ticket::Result<HttpResponse> {
    if (!j.ok()) return j.error();
    return ok(*j);
  };
  ticket::Result<HttpResponse> answer = api_error(404, "no such endpoint: see ticketlemond(8)");
  if (s.size() < 3 || s[0] != "api" || s[1] != "v1") return *answer;
  if (s.size() == 3 && s[2] == "concerts")
    answer = as_json(concerts(ctx));
  else if (s.size() == 4 && s[2] == "concerts")
    answer = as_json(concert(ctx, s[3]));
  else if (s.size() == 5 && s[2] == "concerts" && s[4] == "seats")
    answer = seats(ctx, s[3]);
  else if (s.size() == 5 && s[2] == "concerts" && s[4] == "report")
    answer = report(ctx, s[3], query);
  else if (s.size() == 4 && s[2] == "tickets")
    answer = as_json(ticket_of(ctx, s[3]));
  if (!answer.ok()) return failed(answer.error(), path);
  return *answer;
}

}  // namespace ticketlemond
