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

// The paid zone's seats for a heat map: a grid of blocks of block_rows rows
// by block_seats seats (one seat each when the hall fits in kHeatSide by
// kHeatSide; larger halls in blocks, so that the grid never exceeds it).
// sold[i][j] and held[i][j] count the seats of the block at grid row i,
// column j; a block at the hall's edge may have fewer seats (seats()).
struct SeatHeat {
  static constexpr int kHeatSide = 100;
  int block_rows = 1, block_seats = 1;
  std::vector<std::vector<int64_t>> sold, held;
  // The seats of block (i, j) in a hall of `rows` by `seats_per_row`.
  int64_t seats(size_t i, size_t j, int rows, int seats_per_row) const;
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
  SeatHeat heat;
  FreeZoneFigures free_zone;
  PaymentFigures payments;
  CheckinFigures checkins;
};

// kNotFound for an unknown concert (id or slug). The sections are read on
// two connections at once, `ctx`'s and one of its own, each in one
// transaction (docs/design.md §12).
Result<Report> build_report(Context& ctx, std::string_view concert, Millis bucket_ms);

// The report as JSON text, one line.
std::string report_json(const Report& report);

}  // namespace ticket
