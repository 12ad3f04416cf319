#include "common/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ticket/seat_label.h"
#include "ticket/text.h"

namespace ticket::cli {
namespace {

// Text for HTML and SVG: the five characters that mean something there
// escaped, control characters shown as printable() shows them.
std::string esc(const std::string& s) {
  std::string out;
  for (char c : printable(s)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A count with thousands separated: 1,000,000.
std::string count(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// Colours of the series and bars, set on the elements themselves so that a
// chart reads the same outside the page.
constexpr const char* kColours[] = {"#1f77b4", "#2ca02c", "#ff7f0e", "#d62728"};

constexpr int kWidth = 720, kHeight = 260, kLeft = 84, kRight = 20, kTop = 20, kBottom = 50;

// A line chart of one or two cumulative series over the buckets, with both
// axes labelled.
std::string line_chart(const std::string& title, const std::string& y_label,
                       const std::vector<std::string>& x_labels,
                       const std::vector<std::pair<std::string, std::vector<double>>>& series) {
  double top = 1;
  for (const auto& [name, values] : series)
    for (double v : values) top = std::max(top, v);
  const int w = kWidth - kLeft - kRight, h = kHeight - kTop - kBottom;
  const size_t n = x_labels.size();
  auto x = [&](size_t i) {
    return kLeft + (n <= 1 ? w / 2.0 : static_cast<double>(i) * w / static_cast<double>(n - 1));
  };
  auto y = [&](double v) { return kTop + h - v * h / top; };
  std::string svg = "<figure><figcaption>" + esc(title) + "</figcaption>\n<svg role=\"img\" " +
                    "aria-label=\"" + esc(title) + "\" width=\"" + std::to_string(kWidth) +
                    "\" height=\"" + std::to_string(kHeight) + "\" viewBox=\"0 0 " +
                    std::to_string(kWidth) + " " + std::to_string(kHeight) +
                    "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  svg += "<line class=\"axis\" stroke=\"#444\" x1=\"" + std::to_string(kLeft) + "\" y1=\"" +
         std::to_string(kTop + h) + "\" x2=\"" + std::to_string(kLeft + w) + "\" y2=\"" +
         std::to_string(kTop + h) + "\"/>\n<line class=\"axis\" stroke=\"#444\" x1=\"" +
         std::to_string(kLeft) + "\" y1=\"" + std::to_string(kTop) + "\" x2=\"" +
         std::to_string(kLeft) + "\" y2=\"" + std::to_string(kTop + h) + "\"/>\n";
  for (double f : {0.0, 0.5, 1.0})
    svg += "<text class=\"tick\" x=\"" + std::to_string(kLeft - 6) + "\" y=\"" +
           num(y(top * f) + 4) + "\" text-anchor=\"end\">" +
           (top >= 10 ? count(static_cast<int64_t>(std::lround(top * f))) : num(top * f)) +
           "</text>\n";
  if (n > 0) {
    svg += "<text class=\"tick\" x=\"" + num(x(0)) + "\" y=\"" + std::to_string(kTop + h + 16) +
           "\" text-anchor=\"start\">" + esc(x_labels.front()) + "</text>\n";
    if (n > 1)
      svg += "<text class=\"tick\" x=\"" + num(x(n - 1)) + "\" y=\"" +
             std::to_string(kTop + h + 16) + "\" text-anchor=\"end\">" + esc(x_labels.back()) +
             "</text>\n";
  }
  svg += "<text class=\"label\" x=\"" + std::to_string(kLeft + w / 2) + "\" y=\"" +
         std::to_string(kHeight - 8) + "\" text-anchor=\"middle\">time (UTC)</text>\n";
  svg += "<text class=\"label\" transform=\"rotate(-90)\" x=\"" + std::to_string(-(kTop + h / 2)) +
         "\" y=\"14\" text-anchor=\"middle\">" + esc(y_label) + "</text>\n";
  int k = 0;
  for (const auto& [name, values] : series) {
    std::string points;
    for (size_t i = 0; i < values.size(); ++i)
      points += (i ? " " : "") + num(x(i)) + "," + num(y(values[i]));
    const std::string colour = kColours[k % 4];
    svg += "<polyline class=\"series s" + std::to_string(k) + "\" fill=\"none\" stroke=\"" +
           colour + "\" stroke-width=\"2\" points=\"" + points + "\"/>\n";
    for (size_t i = 0; i < values.size(); ++i)
      svg += "<circle class=\"s" + std::to_string(k) + "\" fill=\"" + colour + "\" cx=\"" +
             num(x(i)) + "\" cy=\"" + num(y(values[i])) + "\" r=\"3\"/>\n";
    svg += "<text class=\"legend s" + std::to_string(k) + "\" fill=\"" + colour + "\" x=\"" +
           std::to_string(kLeft + 10 + 160 * k) + "\" y=\"" + std::to_string(kTop + 12) + "\">" +
           esc(name) + "</text>\n";
    ++k;
  }
  return svg + "</svg></figure>\n";
}

std::string funnel_chart(const Funnel& f) {
  const std::vector<std::pair<std::string, int64_t>> bars = {
      {"held", f.held}, {"paid", f.paid}, {"expired", f.expired}, {"cancelled", f.cancelled}};
  const double top = static_cast<double>(std::max<int64_t>(1, f.held));
  std::string svg =
      "<figure><figcaption>Funnel: " + num(f.paid_percent) +
      "% of the tickets held were paid</figcaption>\n<svg role=\"img\" aria-label=\"Funnel\" "
      "width=\"720\" height=\"150\" viewBox=\"0 0 720 150\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  int i = 0;
  for (const auto& [name, n] : bars) {
    const double len = 520.0 * static_cast<double>(n) / top;
    const int y = 10 + 34 * i;
    svg += "<text class=\"label\" x=\"90\" y=\"" + std::to_string(y + 17) +
           "\" text-anchor=\"end\">" + name + "</text>\n<rect class=\"bar b" + std::to_string(i) +
           "\" fill=\"" + kColours[i % 4] + "\" x=\"100\" y=\"" + std::to_string(y) +
           "\" width=\"" + num(len) + "\" height=\"24\"/>\n<text class=\"value\" x=\"" +
           num(106 + len) + "\" y=\"" + std::to_string(y + 17) + "\">" + count(n) + "</text>\n";
    ++i;
  }
  return svg + "</svg></figure>\n";
}

// The paid zone's seats as a grid, one cell per seat or block of seats
// (SeatHeat), its shade the share sold, cells mostly held in orange; rows
// labelled down the side.
std::string heat_map(const Report& r) {
  const SeatHeat& heat = r.heat;
  const int rows = r.concert.layout.rows, per_row = r.concert.layout.seats_per_row;
  const size_t grid_rows = heat.sold.size();
  const size_t grid_columns = grid_rows ? heat.sold.front().size() : 0;
  const double cell =
      std::clamp(620.0 / static_cast<double>(std::max<size_t>(1, grid_columns)), 4.0, 24.0);
  const double left = 60, top = 30;
  const double width = std::max(400.0, left + cell * static_cast<double>(grid_columns) + 20);
  const double height = top + cell * static_cast<double>(grid_rows) + 10;
  const bool per_seat = heat.block_rows == 1 && heat.block_seats == 1;
  const std::string what = per_seat ? std::string("one cell per seat")
                                    : "one cell per block of " + std::to_string(heat.block_rows) +
                                          (heat.block_rows == 1 ? " row by " : " rows by ") +
                                          std::to_string(heat.block_seats) +
                                          (heat.block_seats == 1 ? " seat" : " seats");
  std::string svg = "<figure><figcaption>Seats sold (" + what +
                    "; darker: fuller; orange: held)</figcaption>\n<svg role=\"img\" "
                    "aria-label=\"Seat heat map\" width=\"" +
                    num(width) + "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) +
                    " " + num(height) + "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  svg += "<text class=\"label\" x=\"" + num(left) + "\" y=\"14\">seat 1 to " +
         std::to_string(per_row) + ", left to right</text>\n";
  for (size_t i = 0; i < grid_rows; ++i) {
    const int first_row = static_cast<int>(i) * heat.block_rows;
    const int last_row = std::min(rows, first_row + heat.block_rows) - 1;
    const std::string row_name = first_row == last_row
                                     ? row_letters(first_row)
                                     : row_letters(first_row) + "-" + row_letters(last_row);
    if (grid_rows <= 40 || i % 10 == 0)
      svg += "<text class=\"tick\" x=\"" + num(left - 4) + "\" y=\"" +
             num(top + cell * static_cast<double>(i) + cell * 0.75) + "\" text-anchor=\"end\">" +
             esc(row_name) + "</text>\n";
    for (size_t j = 0; j < grid_columns; ++j) {
      const int64_t seats = heat.seats(i, j, rows, per_row);
      const int64_t sold = heat.sold[i][j], held = heat.held[i][j];
      const double share = seats > 0 ? static_cast<double>(sold) / static_cast<double>(seats) : 0.0;
      const int shade = 235 - static_cast<int>(std::clamp(share, 0.0, 1.0) * 200);
      char fill[16];
      std::snprintf(fill, sizeof fill, "#%02x%02xff", shade, shade);
      const bool mostly_held = held > 0 && held * 2 >= seats;
      const int first_seat = static_cast<int>(j) * heat.block_seats + 1;
      svg +=
          "<rect class=\"seat\" x=\"" + num(left + cell * static_cast<double>(j)) + "\" y=\"" +
          num(top + cell * static_cast<double>(i)) + "\" width=\"" +
          num(cell - (cell > 6 ? 1 : 0)) + "\" height=\"" + num(cell - (cell > 6 ? 1 : 0)) +
          "\" fill=\"" + (mostly_held ? std::string("#ff7f0e") : std::string(fill)) + "\"><title>" +
          esc(row_name) + " " + std::to_string(first_seat) +
          (per_seat ? std::string()
                    : "-" + std::to_string(std::min(per_row, first_seat + heat.block_seats - 1))) +
          ": " + std::to_string(sold) + " sold, " + std::to_string(held) + " held of " +
          std::to_string(seats) + "</title></rect>\n";
    }
  }
  return svg + "</svg></figure>\n";
}

}  // namespace

std::string report_html(const Report& r) {
  const std::string from = r.sales.empty() ? "-" : format_iso8601(r.sales.front().at);
  const std::string to = r.sales.empty() ? "-" : format_iso8601(r.sales.back().at + r.bucket_ms);
  const std::string title =
      "Sales report: " + r.concert.name + " (" + r.concert.slug + "), " + from + " to " + to;
  std::vector<std::string> at;
  std::vector<double> held, paid;
  for (const SalesBucket& b : r.sales) {
    at.push_back(format_iso8601(b.at));
    held.push_back(static_cast<double>(b.held_total));
    paid.push_back(static_cast<double>(b.paid_total));
  }
  std::vector<std::string> gate_at;
  std::vector<double> admitted;
  double sum = 0;
  for (const auto& [t, n] : r.checkins.by_bucket) {
    gate_at.push_back(format_iso8601(t));
    sum += static_cast<double>(n);
    admitted.push_back(sum);
  }
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + esc(title) +
      "</title>\n<style>\nbody{font-family:sans-serif;margin:2em;color:#222}\n"
      "figure{margin:1.5em 0;page-break-inside:avoid}\nfigcaption{font-weight:bold;margin-bottom:.5em}\n"
      ".axis{stroke:#444;stroke-width:1}\n.tick,.value{font-size:11px;fill:#333}\n"
      ".label{font-size:12px;fill:#222}\n.legend{font-size:12px;stroke:none}\n"
      ".series{fill:none;stroke-width:2}\n"
      ".s0{stroke:#1f77b4;fill:#1f77b4}\n.s1{stroke:#2ca02c;fill:#2ca02c}\n"
      "polyline.s0,polyline.s1{fill:none}\ntext.legend{stroke:none}\n.b0{fill:#1f77b4}.b1{fill:#2ca02c}.b2{fill:#ff7f0e}"
      ".b3{fill:#d62728}\ntable{border-collapse:collapse}td,th{border:1px solid #bbb;padding:2px 8px;"
      "text-align:right}\n</style></head><body>\n<h1>" +
      esc(title) + "</h1>\n<p>Buckets of " + bucket_name(r.bucket_ms) + "; made " +
      format_iso8601(r.made_at) + ".</p>\n";
  html += line_chart("Sales over time (running totals)", "tickets", at,
                     {{"held", held}, {"paid", paid}});
  html += funnel_chart(r.funnel);
  html += heat_map(r);
  html += line_chart("Check-ins over time (running total)", "admitted", gate_at,
                     {{"admitted", admitted}});
  html += "<h2>Payments</h2>\n<table><tr><th>payments</th><th>count</th><th>amount</th></tr>\n";
  for (const auto& [platform, m] : r.payments.by_platform)
    html += "<tr><td>paid " + esc(platform) + "</td><td>" + std::to_string(m.count) + "</td><td>" +
            format_money(m.amount) + "</td></tr>\n";
  for (const auto& [name, m] :
       {std::pair{"refund due", r.payments.refund_due}, std::pair{"refunded", r.payments.refunded},
        std::pair{"under review", r.payments.review}})
    html += std::string("<tr><td>") + name + "</td><td>" + std::to_string(m.count) + "</td><td>" +
            format_money(m.amount) + "</td></tr>\n";
  html += "</table>\n<p>Free zone: " + std::to_string(r.free_zone.applications) +
          " applications, " + std::to_string(r.free_zone.granted) + " granted, " +
          std::to_string(r.free_zone.rejected) + " rejected, " +
          std::to_string(r.free_zone.pending) +
          " pending. Gate: " + std::to_string(r.checkins.admitted) + " admitted, " +
          std::to_string(r.checkins.no_shows) + " no-shows.</p>\n</body></html>\n";
  return html;
}

}  // namespace ticket::cli
