// The sales report of one concert (`tl-admin report`, docs/design.md §12):
// every figure an aggregate computed by MySQL, so that the daemon can serve
// the same JSON.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ticket/concerts.h"
#include "ticket/context.h"
#include "ticket/money.h"
#include "ticket/timestamp.h"

namespace ticket {

// "1m", "5m", "15m", "1h" or "1d" in milliseconds; kInvalid otherwise.
Result<Millis> parse_bucket(std::string_view text);
// The bucket's name back ("1h").
std::string bucket_name(Millis bucket_ms);

// One time bucket of the sale: tickets held (created), paid, expired and
// cancelled in it, the money paid in it, and the totals up to its end.
struct SalesBucket {
  Millis at = 0;  // the bucket's start
  int64_t held = 0, paid = 0, expired = 0, cancelled = 0;
  Cents revenue = 0;
  int64_t held_total = 0, paid_total = 0, expired_total = 0, cancelled_total = 0;
  Cents revenue_total = 0;
};

// Paid-zone tickets: every one created (held), those ever paid (also if
// cancelled later), those that failed by expiry or cancellation; seconds
// from hold to payment at percentiles (none before a payment).
struct Funnel {
  int64_t held = 0, paid = 0, expired = 0, cancelled = 0;
  double paid_percent = 0;
  std::optional<double> time_to_pay_p50_s, time_to_pay_p90_s, time_to_pay_p99_s;
};

// Seats of one paid-zone row now: of paid tickets, of tickets held, free.
struct RowOccupancy {
  std::string row;  // "A"
  int64_t sold = 0, held = 0, free = 0;
  double occupancy_percent = 0;  // sold / seats of the row
};

struct FreeZoneFigures {
  int64_t applications = 0, granted = 0, rejected = 0, pending = 0;
  std::optional<double> median_decision_s;
};

struct MoneyCount {
  int64_t count = 0;
  Cents amount = 0;
};

struct PaymentFigures {
  std::map<std::string, MoneyCount> by_platform;  // PAID payments
  MoneyCount refund_due, refunded, review;
};

struct CheckinFigures {
  int64_t admitted = 0;
  std::map<std::string, int64_t> by_gate;
  std::vector<std::pair<Millis, int64_t>> by_bucket;  // admissions per bucket
  int64_t no_shows = 0;                               // SUCCESS tickets with no admission
};

struct Report {
  Concert concert;
  Millis bucket_ms = 0;
  Millis made_at = 0;
  std::vector<SalesBucket> sales;  // only buckets where something happened
  Funnel funnel;
  std::vector<RowOccupancy> rows;
  FreeZoneFigures free_zone;
  PaymentFigures payments;
  CheckinFigures checkins;
};

// kNotFound for an unknown concert (id or slug).
Result<Report> build_report(Context& ctx, std::string_view concert, Millis bucket_ms);

// The report as JSON text, one line.
std::string report_json(const Report& report);

}  // namespace ticket
