// tl-admin report: the sales report of one concert as a table, JSON, CSV or an
// HTML page.
#include <cstdio>

#include "admin/commands.h"
#include "common/csv.h"
#include "common/report_html.h"
#include "common/table.h"
#include "ticket/files.h"
#include "ticket/report.h"
#include "ticket/text.h"

namespace ticket::cli {
namespace {

struct Flags {
  std::string concert, bucket = "1h", format = "table", out;
};

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string seconds(const std::optional<double>& v) { return v ? number(*v) + " s" : "-"; }

std::string table(const Report& r) {
  std::string out = "Report of " + r.concert.slug + " (" + r.concert.name + "), buckets of " +
                    bucket_name(r.bucket_ms) + ", made " + format_iso8601(r.made_at) +
                    "\n\nSales\n";
  Table sales(
      {"AT", "HELD", "PAID", "EXPIRED", "CANCELLED", "REVENUE", "PAID TOTAL", "REVENUE TOTAL"});
  for (const SalesBucket& b : r.sales)
    sales.add({format_iso8601(b.at), std::to_string(b.held), std::to_string(b.paid),
               std::to_string(b.expired), std::to_string(b.cancelled), format_money(b.revenue),
               std::to_string(b.paid_total), format_money(b.revenue_total)});
  out += sales.empty() ? "(nothing sold yet)\n" : sales.str();
  const Funnel& f = r.funnel;
  out += "\nFunnel\nheld " + std::to_string(f.held) + " -> paid " + std::to_string(f.paid) + " (" +
         number(f.paid_percent) + "%), expired " + std::to_string(f.expired) + ", cancelled " +
         std::to_string(f.cancelled) + "; time to pay p50 " + seconds(f.time_to_pay_p50_s) +
         ", p90 " + seconds(f.time_to_pay_p90_s) + ", p99 " + seconds(f.time_to_pay_p99_s) +
         "\n\nRows\n";
  Table rows({"ROW", "SOLD", "HELD", "FREE", "OCCUPANCY"});
  for (const RowOccupancy& o : r.rows)
    rows.add({o.row, std::to_string(o.sold), std::to_string(o.held), std::to_string(o.free),
              number(o.occupancy_percent) + "%"});
  out += rows.str();
  const FreeZoneFigures& z = r.free_zone;
  out += "\nFree zone\napplications " + std::to_string(z.applications) + ": granted " +
         std::to_string(z.granted) + ", rejected " + std::to_string(z.rejected) + ", pending " +
         std::to_string(z.pending) + "; median time to a decision " + seconds(z.median_decision_s) +
         "\n\nPayments\n";
  Table pay({"", "COUNT", "AMOUNT"});
  for (const auto& [platform, m] : r.payments.by_platform)
    pay.add({"paid " + platform, std::to_string(m.count), format_money(m.amount)});
  pay.add({"refund due", std::to_string(r.payments.refund_due.count),
           format_money(r.payments.refund_due.amount)});
  pay.add({"refunded", std::to_string(r.payments.refunded.count),
           format_money(r.payments.refunded.amount)});
  pay.add({"under review", std::to_string(r.payments.review.count),
           format_money(r.payments.review.amount)});
  out += pay.str() + "\nCheck-ins\nadmitted " + std::to_string(r.checkins.admitted) +
         ", no-shows " + std::to_string(r.checkins.no_shows) + "\n";
  if (!r.checkins.by_gate.empty()) {
    Table gates({"GATE", "ADMITTED"});
    for (const auto& [gate, n] : r.checkins.by_gate) gates.add({gate, std::to_string(n)});
    out += gates.str();
  }
  return out;
}

// One record per figure: section, item, field, value; the JSON's numbers.
std::string csv(const Report& r) {
  std::string out = csv_record({"section", "item", "field", "value"});
  auto add = [&](const std::string& section, const std::string& item, const std::string& field,
                 const std::string& value) {
    out += csv_record({section, item, field, value});
  };
  for (const SalesBucket& b : r.sales) {
    const std::string at = format_iso8601(b.at);
    add("sales", at, "held", std::to_string(b.held));
    add("sales", at, "paid", std::to_string(b.paid));
    add("sales", at, "expired", std::to_string(b.expired));
    add("sales", at, "cancelled", std::to_string(b.cancelled));
    add("sales", at, "revenue", format_money(b.revenue));
    add("sales", at, "held_total", std::to_string(b.held_total));
    add("sales", at, "paid_total", std::to_string(b.paid_total));
    add("sales", at, "expired_total", std::to_string(b.expired_total));
    add("sales", at, "cancelled_total", std::to_string(b.cancelled_total));
    add("sales", at, "revenue_total", format_money(b.revenue_total));
  }
  const Funnel& f = r.funnel;
  add("funnel", "", "held", std::to_string(f.held));
  add("funnel", "", "paid", std::to_string(f.paid));
  add("funnel", "", "expired", std::to_string(f.expired));
  add("funnel", "", "cancelled", std::to_string(f.cancelled));
  add("funnel", "", "paid_percent", number(f.paid_percent));
  for (const auto& [name, v] : {std::pair{"time_to_pay_p50_s", f.time_to_pay_p50_s},
                                std::pair{"time_to_pay_p90_s", f.time_to_pay_p90_s},
                                std::pair{"time_to_pay_p99_s", f.time_to_pay_p99_s}})
    add("funnel", "", name, v ? number(*v) : "");
  for (const RowOccupancy& o : r.rows) {
    add("rows", o.row, "sold", std::to_string(o.sold));
    add("rows", o.row, "held", std::to_string(o.held));
    add("rows", o.row, "free", std::to_string(o.free));
    add("rows", o.row, "occupancy_percent", number(o.occupancy_percent));
  }
  add("heat", "", "block_rows", std::to_string(r.heat.block_rows));
  add("heat", "", "block_seats", std::to_string(r.heat.block_seats));
  for (size_t i = 0; i < r.heat.sold.size(); ++i) {
    for (size_t j = 0; j < r.heat.sold[i].size(); ++j) {
      const std::string cell = std::to_string(i) + "," + std::to_string(j);
      add("heat", cell, "sold", std::to_string(r.heat.sold[i][j]));
      add("heat", cell, "held", std::to_string(r.heat.held[i][j]));
    }
  }
  const FreeZoneFigures& z = r.free_zone;
  add("free_zone", "", "applications", std::to_string(z.applications));
  add("free_zone", "", "granted", std::to_string(z.granted));
  add("free_zone", "", "rejected", std::to_string(z.rejected));
  add("free_zone", "", "pending", std::to_string(z.pending));
  add("free_zone", "", "median_decision_s",
      z.median_decision_s ? number(*z.median_decision_s) : "");
  for (const auto& [platform, m] : r.payments.by_platform) {
    add("payments", platform, "count", std::to_string(m.count));
    add("payments", platform, "amount", format_money(m.amount));
  }
  for (const auto& [name, m] :
       {std::pair{"refund_due", r.payments.refund_due}, std::pair{"refunded", r.payments.refunded},
        std::pair{"review", r.payments.review}}) {
    add("payments", name, "count", std::to_string(m.count));
    add("payments", name, "amount", format_money(m.amount));
  }
  add("checkins", "", "admitted", std::to_string(r.checkins.admitted));
  add("checkins", "", "no_shows", std::to_string(r.checkins.no_shows));
  for (const auto& [gate, n] : r.checkins.by_gate)
    add("checkins", gate, "by_gate", std::to_string(n));
  for (const auto& [at, n] : r.checkins.by_bucket)
    add("checkins", format_iso8601(at), "admitted", std::to_string(n));
  return out;
}

}  // namespace

void add_report_command(Tool& tool) {
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = tool.app().add_subcommand(
      "report",
      "The sales report of a concert: sales over time, funnel, rows and seat heat map, free zone, "
      "payments, check-ins");
  cmd->add_option("--concert", f->concert, "The concert (id or slug)")
      ->required()
      ->option_text("C");
  cmd->add_option("--bucket", f->bucket,
                  "Width of a time bucket: 1m, 5m, 15m, 1h or 1d (default: 1h)")
      ->option_text("W");
  cmd->add_option("--format", f->format,
                  "table, json, csv or html (one page with charts; default: table)")
      ->option_text("F");
  cmd->add_option("--out", f->out, "Write the report to this file instead of the terminal")
      ->option_text("FILE");
  cmd->callback([&tool, f, cmd] {
    const bool to_file = cmd->count("--out") > 0;
    tool.set_action([&tool, f, to_file](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(const Millis bucket, parse_bucket(f->bucket));
      std::string format = to_lower(f->format);
      if (format != "table" && format != "json" && format != "csv" && format != "html")
        return invalid("--format must be table, json, csv or html, got " + quote(f->format));
      if (tool.json()) format = "json";
      TL_ASSIGN_OR_RETURN(Report r, build_report(ctx, f->concert, bucket));
      const std::string json = report_json(r);
      std::string body;
      if (format == "json") body = json + "\n";
      if (format == "csv") body = csv(r);
      if (format == "table") body = printable(table(r), "\n");
      if (format == "html") body = report_html(r);
      if (to_file) {
        TL_TRY(replace_file(f->out, body));
        out.json = {{"report", {{"concert", r.concert.slug}, {"format", format}, {"out", f->out}}}};
        out.text = "Report of " + r.concert.slug + " (" + format + ") written to " + f->out;
        out.quiet = f->out;
        return {};
      }
      out.json = nlohmann::json::parse(json);
      out.verbatim = body;
      return {};
    });
  });
}

}  // namespace ticket::cli
