#include "admin/listing_output.h"

#include "common/csv.h"
#include "common/render.h"
#include "common/table.h"
#include "ticket/customer.h"
#include "ticket/text.h"

namespace ticket::cli {
namespace {

std::string time_or_empty(const std::optional<Millis>& ms) { return ms ? format_iso8601(*ms) : ""; }

nlohmann::json time_or_null(const std::optional<Millis>& ms) {
  return ms ? nlohmann::json(format_iso8601(*ms)) : nlohmann::json(nullptr);
}

std::string customer_cell(const Ticket& t) {
  return t.customer_name + " " + mask_id(t.customer_last4);
}

nlohmann::json row_json(const ListedTicket& row, bool applications) {
  nlohmann::json j = ticket_json(row.ticket);
  j["created_at"] = format_iso8601(row.ticket.created_at);
  if (applications && row.application) {
    const Application& a = *row.application;
    j["answers"] = {{"q1", a.answers.q1}, {"q2", a.answers.q2}, {"q3", a.answers.q3}};
    j["decided_by"] = a.decided_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.decided_by);
    j["decided_at"] = time_or_null(a.decided_at);
    j["note"] = a.note.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.note);
  }
  return j;
}

std::string csv(const TicketPage& page, bool applications) {
  std::vector<std::string> header = {"code",      "concert_id",    "zone",
                                     "status",    "reason",        "seats",
                                     "amount",    "currency",      "hold_expires_at",
                                     "paid_at",   "customer_name", "customer_id_number",
                                     "created_at"};
  if (applications)
    header.insert(header.end(), {"q1", "q2", "q3", "decided_by", "decided_at", "note"});
  std::string out = csv_record(header);
  for (const ListedTicket& row : page.tickets) {
    const Ticket& t = row.ticket;
    const std::string seats = seat_labels(t.seats);
    std::vector<std::string> fields = {t.code,
                                       std::to_string(t.concert_id),
                                       std::string(zone_name(t.zone)),
                                       std::string(status_name(t.status)),
                                       std::string(reason_name(t.reason)),
                                       seats,
                                       format_money(t.amount),
                                       t.currency,
                                       time_or_empty(t.hold_expires_at),
                                       time_or_empty(t.paid_at),
                                       t.customer_name,
                                       mask_id(t.customer_last4),
                                       format_iso8601(t.created_at)};
    if (applications) {
      const Application a = row.application.value_or(Application{});
      fields.insert(fields.end(), {a.answers.q1, a.answers.q2, a.answers.q3, a.decided_by,
                                   time_or_empty(a.decided_at), a.note});
    }
    out += csv_record(fields);
  }
  return out;
}

// "Page 2 of 3: 101-200 of 250 tickets."
std::string page_line(const TicketPage& page, const char* noun) {
  const int64_t pages = (page.total + page.limit - 1) / page.limit;
  const int64_t first = static_cast<int64_t>(page.page - 1) * page.limit + 1;
  const int64_t last = first + static_cast<int64_t>(page.tickets.size()) - 1;
  std::string line = "Page " + std::to_string(page.page) + " of " +
                     std::to_string(std::max<int64_t>(pages, 1)) + ": ";
  if (page.tickets.empty())
    return line + "none of " + std::to_string(page.total) + " " + noun + ".";
  return line + std::to_string(first) + "-" + std::to_string(last) + " of " +
         std::to_string(page.total) + " " + noun + ".";
}

std::string tickets_table(const TicketPage& page) {
  Table table({"CODE", "CONCERT", "ZONE", "STATUS", "SEATS", "AMOUNT", "CUSTOMER", "CREATED"});
  for (const ListedTicket& row : page.tickets) {
    const Ticket& t = row.ticket;
    table.add({t.code, std::to_string(t.concert_id), std::string(zone_name(t.zone)),
               status_text(t.status, t.reason), seat_list(t),
               t.zone == Zone::kBuy ? format_money(t.amount) + " " + t.currency : "-",
               customer_cell(t), format_iso8601(t.created_at)});
  }
  return (page.tickets.empty() ? std::string() : table.str()) + page_line(page, "tickets") + "\n";
}

// An answer under its label, continuation lines indented to match.
std::string answer_lines(const std::string& label, const std::string& text) {
  std::string out = "  " + label + ": ";
  for (char c : text) {
    if (c == '\r') continue;
    out += c;
    if (c == '\n') out += std::string(label.size() + 4, ' ');
  }
  return out + "\n";
}

std::string applications_text(const TicketPage& page) {
  std::string out;
  for (const ListedTicket& row : page.tickets) {
    const Ticket& t = row.ticket;
    out += t.code + "  " + status_text(t.status, t.reason) + "  " + seat_list(t) + "  " +
           customer_cell(t) + "  applied " + format_iso8601(t.created_at) + "\n";
    if (!row.application) continue;
    const Application& a = *row.application;
    out += answer_lines("Q1", a.answers.q1) + answer_lines("Q2", a.answers.q2) +
           answer_lines("Q3", a.answers.q3);
    if (!a.decided_by.empty())
      out += "  Decided by " + a.decided_by + " at " + time_or_empty(a.decided_at) +
             (a.note.empty() ? "" : ": " + a.note) + "\n";
    out += "\n";
  }
  return out + page_line(page, "applications") + "\n";
}

}  // namespace

void add_page_flags(CLI::App* command, PageFlags& flags) {
  command->add_option("--page", flags.page, "Page to show, from 1 (default 1)")->type_name("P");
  command
      ->add_option("--limit", flags.limit,
                   "Tickets per page, 1 to " + std::to_string(kMaxPageLimit) + " (default " +
                       std::to_string(kDefaultPageLimit) + ")")
      ->type_name("L");
  command
      ->add_option("--format", flags.format,
                   "table (default), json (as --json) or csv (RFC 4180, with a header)")
      ->type_name("F");
}

void apply_page_flags(const CLI::App* command, const PageFlags& flags, TicketFilter& filter) {
  if (command->count("--page") > 0) filter.page = flags.page;
  if (command->count("--limit") > 0) filter.limit = flags.limit;
}

Result<ListingFormat> listing_format(const Tool& tool, const CLI::App* command,
                                     const PageFlags& flags) {
  const std::string f = to_lower(flags.format);
  ListingFormat format;
  if (f == "table") {
    format = ListingFormat::kTable;
  } else if (f == "json") {
    format = ListingFormat::kJson;
  } else if (f == "csv") {
    format = ListingFormat::kCsv;
  } else {
    return invalid("--format must be table, json or csv, got " + quote(flags.format));
  }
  if (tool.json() && command->count("--format") > 0 && format != ListingFormat::kJson)
    return invalid("--json and --format " + f + " disagree; give one of them");
  return tool.json() ? ListingFormat::kJson : format;
}

void render_page(const TicketPage& page, ListingFormat format, bool applications, Output& out) {
  nlohmann::json rows = nlohmann::json::array();
  for (const ListedTicket& row : page.tickets) {
    rows.push_back(row_json(row, applications));
    out.quiet += (out.quiet.empty() ? "" : "\n") + row.ticket.code;
  }
  out.json = {{"tickets", rows}, {"total", page.total}, {"page", page.page}, {"limit", page.limit}};
  switch (format) {
    case ListingFormat::kJson:
      out.verbatim = out.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      break;
    case ListingFormat::kCsv: out.verbatim = csv(page, applications); break;
    case ListingFormat::kTable:
      out.text = applications ? applications_text(page) : tickets_table(page);
      break;
  }
}

}  // namespace ticket::cli
