#include "ticket/report.h"

#include <cppconn/resultset.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>

#include "db.h"
#include "stored_values.h"
#include "ticket/seat_label.h"
#include "ticket/stats.h"
#include "ticket/text.h"

namespace ticket {
namespace {

// Whole seconds since the epoch of a DATETIME(3) column (TO_SECONDS counts
// from the year 0), and the number of its bucket, ? seconds wide.
#define TL_EPOCH_S(column) "(TO_SECONDS(" column ") - 62167219200)"
#define TL_BUCKET(column) TL_EPOCH_S(column) " DIV ?"
// Tenths of a second from `from` to `to`, rounded.
#define TL_TENTHS(from, to) "(TIMESTAMPDIFF(MICROSECOND, " from ", " to ") + 50000) DIV 100000"

// Every paid-zone ticket once, from ix_ticket_report alone: the buckets it
// was held (created), paid and failed in, its status and how it failed. A
// failed ticket is not changed after it failed but by a revival, which
// makes it SUCCESS: its updated_at is when it failed. The statuses are
// listed so that the index is read as three ranges of (concert, status,
// zone).
constexpr const char* kSales =
    "SELECT " TL_BUCKET("created_at") " AS h,"
    " IF(paid_at IS NULL, NULL, " TL_BUCKET("paid_at") ") AS p,"
    " IF(status = 'FAIL', " TL_BUCKET("updated_at") ", NULL) AS f,"
    " status, reason, COUNT(*), COALESCE(SUM(amount), 0) FROM TICKETS"
    " WHERE concert_id = ? AND status IN ('PROCESS', 'SUCCESS', 'FAIL') AND zone = 'BUY'"
    " GROUP BY h, p, f, status, reason";
// Times to pay in tenths of a second, with how many took each.
constexpr const char* kPayTimes =
    "SELECT " TL_TENTHS("created_at", "paid_at") " AS d, COUNT(*) FROM TICKETS"
    " WHERE concert_id = ? AND status IN ('PROCESS', 'SUCCESS', 'FAIL') AND zone = 'BUY'"
    " AND paid_at IS NOT NULL GROUP BY d ORDER BY d";
// Active seats (of tickets held or paid) per row, and per block of the
// heat map (? rows by ? seats), from uq_active_seat alone; then the seats of
// tickets held, per row and block of seats.
constexpr const char* kRowSeats =
    "SELECT seat_row, COUNT(*) FROM TICKET_SEATS"
    " WHERE concert_id = ? AND zone = 'BUY' AND active = 1 GROUP BY seat_row";
constexpr const char* kBlockSeats =
    "SELECT seat_row DIV ? AS i, (seat_number - 1) DIV ? AS j, COUNT(*) FROM TICKET_SEATS"
    " WHERE concert_id = ? AND zone = 'BUY' AND active = 1 GROUP BY i, j";
constexpr const char* kHeldSeats =
    "SELECT s.seat_row, (s.seat_number - 1) DIV ? AS k, COUNT(*) FROM TICKETS t"
    " JOIN TICKET_SEATS s ON s.ticket_id = t.id"
    " WHERE t.concert_id = ? AND t.status = 'PROCESS' AND t.zone = 'BUY' GROUP BY s.seat_row, k";
constexpr const char* kFreeZone =
    "SELECT COUNT(*), COALESCE(SUM(status = 'SUCCESS'), 0),"
    " COALESCE(SUM(status = 'FAIL' AND reason = 'REJECTED'), 0),"
    " COALESCE(SUM(status = 'PROCESS'), 0) FROM TICKETS"
    " WHERE concert_id = ? AND status IN ('PROCESS', 'SUCCESS', 'FAIL') AND zone = 'FREE'";
constexpr const char* kDecisionTimes =
    "SELECT " TL_TENTHS("t.created_at", "a.decided_at") " AS d, COUNT(*) FROM TICKETS t"
    " JOIN TICKETS_APPLY_FREE a ON a.ticket_id = t.id"
    " WHERE t.concert_id = ? AND t.status IN ('PROCESS', 'SUCCESS', 'FAIL') AND t.zone = 'FREE'"
    " AND a.decided_at IS NOT NULL GROUP BY d ORDER BY d";
constexpr const char* kPayments =
    "SELECT state, platform, COUNT(*), COALESCE(SUM(amount), 0) FROM PAYMENTS"
    " WHERE concert_id = ? GROUP BY state, platform";
constexpr const char* kCheckins =
    "SELECT gate, " TL_BUCKET("at") " AS b, COUNT(*) FROM CHECKINS WHERE concert_id = ?"
    " GROUP BY gate, b";
// For the no-shows: granted free seats, and admissions of tickets
// cancelled since. A ticket is admitted only while SUCCESS and leaves
// SUCCESS only by cancellation (docs/design.md §4), so these are all the
// admissions of tickets that are not SUCCESS now.
constexpr const char* kGranted =
    "SELECT COUNT(*) FROM TICKETS WHERE concert_id = ? AND status = 'SUCCESS' AND zone = 'FREE'";
constexpr const char* kCancelledAdmitted =
    "SELECT COUNT(*) FROM TICKETS t JOIN CHECKINS c ON c.ticket_id = t.id"
    " WHERE t.concert_id = ? AND t.status = 'FAIL' AND t.zone IN ('BUY', 'FREE')"
    " AND t.reason = 'CANCELLED'";

// Values in tenths with how many have each, in order.
using Histogram = std::vector<std::pair<int64_t, int64_t>>;

Histogram histogram(Db& db, const char* sql, uint64_t concert) {
  auto& stmt = db.prepare(sql);
  stmt.setUInt64(1, concert);
  ResultSetPtr rs = db.query(stmt);
  Histogram h;
  while (rs->next()) h.emplace_back(rs->getInt64(1), rs->getInt64(2));
  return h;
}

// The q-quantile by nearest rank, in seconds; none of no values.
std::optional<double> quantile(const Histogram& h, double q) {
  int64_t n = 0;
  for (const auto& [tenths, count] : h) n += count;
  if (n == 0) return std::nullopt;
  const int64_t rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * n)));
  int64_t seen = 0;
  for (const auto& [tenths, count] : h) {
    seen += count;
    if (seen >= rank) return static_cast<double>(tenths) / 10.0;
  }
  return std::nullopt;
}

int64_t count(Db& db, const char* sql, uint64_t concert) {
  auto& stmt = db.prepare(sql);
  stmt.setUInt64(1, concert);
  ResultSetPtr rs = db.query(stmt);
  return rs->next() ? rs->getInt64(1) : 0;
}

nlohmann::json optional_number(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

nlohmann::json money_count(const MoneyCount& m) {
  return {{"count", m.count}, {"amount", format_money(m.amount)}};
}

// Sales per bucket and the funnel, payments, check-ins and no-shows (the
// SUCCESS tickets without an admission).
Status read_sales(Db& db, const Concert& c, Report& r) {
  const int64_t bucket_s = r.bucket_ms / 1000;
  std::map<int64_t, SalesBucket> buckets;
  int64_t sold = 0;  // paid-zone tickets SUCCESS now
  {
    auto& stmt = db.prepare(kSales);
    for (int i = 1; i <= 3; ++i) stmt.setInt64(i, bucket_s);
    stmt.setUInt64(4, c.id);
    ResultSetPtr rs = db.query(stmt);
    while (rs->next()) {
      const int64_t n = rs->getInt64(6);
      buckets[rs->getInt64(1)].held += n;
      if (!rs->isNull(2)) {
        SalesBucket& b = buckets[rs->getInt64(2)];
        b.paid += n;
        TL_ASSIGN_OR_RETURN(const Cents amount, stored_money(*rs, 7));
        b.revenue += amount;
      }
      const std::string status = rs->getString(4);
      if (status == "SUCCESS") sold += n;
      if (status == "FAIL" && !rs->isNull(3) && !rs->isNull(5)) {
        const std::string reason = rs->getString(5);
        SalesBucket& b = buckets[rs->getInt64(3)];
        if (reason == "EXPIRED") b.expired += n;
        if (reason == "CANCELLED") b.cancelled += n;
      }
    }
  }
  SalesBucket total;
  for (auto& [n, b] : buckets) {
    b.at = n * r.bucket_ms;
    total.held += b.held;
    total.paid += b.paid;
    total.expired += b.expired;
    total.cancelled += b.cancelled;
    total.revenue += b.revenue;
    b.held_total = total.held;
    b.paid_total = total.paid;
    b.expired_total = total.expired;
    b.cancelled_total = total.cancelled;
    b.revenue_total = total.revenue;
    r.sales.push_back(b);
  }
  r.funnel.held = total.held;
  r.funnel.paid = total.paid;
  r.funnel.expired = total.expired;
  r.funnel.cancelled = total.cancelled;
  r.funnel.paid_percent = percent_of(r.funnel.paid, r.funnel.held);

  {
    auto& stmt = db.prepare(kPayments);
    stmt.setUInt64(1, c.id);
    ResultSetPtr rs = db.query(stmt);
    while (rs->next()) {
      const std::string state = rs->getString(1), platform = rs->getString(2);
      TL_ASSIGN_OR_RETURN(const Cents amount, stored_money(*rs, 4));
      MoneyCount* into = nullptr;
      if (state == "PAID") into = &r.payments.by_platform[platform];
      if (state == "REFUND_DUE") into = &r.payments.refund_due;
      if (state == "REFUNDED") into = &r.payments.refunded;
      if (state == "REVIEW") into = &r.payments.review;
      if (!into) continue;
      into->count += rs->getInt64(3);
      into->amount += amount;
    }
  }

  {
    auto& stmt = db.prepare(kCheckins);
    stmt.setInt64(1, bucket_s);
    stmt.setUInt64(2, c.id);
    ResultSetPtr rs = db.query(stmt);
    std::map<int64_t, int64_t> per_bucket;
    while (rs->next()) {
      const int64_t n = rs->getInt64(3);
      r.checkins.by_gate[rs->getString(1)] += n;
      per_bucket[rs->getInt64(2)] += n;
      r.checkins.admitted += n;
    }
    for (const auto& [b, n] : per_bucket) r.checkins.by_bucket.emplace_back(b * r.bucket_ms, n);
    const int64_t granted = count(db, kGranted, c.id);
    const int64_t cancelled_admitted = count(db, kCancelledAdmitted, c.id);
    r.checkins.no_shows = sold + granted - (r.checkins.admitted - cancelled_admitted);
  }
  return {};
}

// Grid dimension `n` in blocks of at most SeatHeat::kHeatSide.
int block_of(int n) { return std::max(1, (n + SeatHeat::kHeatSide - 1) / SeatHeat::kHeatSide); }

// Seats per row and in the heat map, times to pay, the free zone.
Status read_seats(Db& db, const Concert& c, Report& r) {
  const int rows = c.layout.rows, per_row = c.layout.seats_per_row;
  SeatHeat& heat = r.heat;
  heat.block_rows = block_of(rows);
  heat.block_seats = block_of(per_row);
  const size_t grid_rows = static_cast<size_t>((rows + heat.block_rows - 1) / heat.block_rows);
  const size_t grid_columns =
      static_cast<size_t>((per_row + heat.block_seats - 1) / heat.block_seats);
  heat.sold.assign(grid_rows, std::vector<int64_t>(grid_columns, 0));
  heat.held.assign(grid_rows, std::vector<int64_t>(grid_columns, 0));
  std::vector<RowOccupancy> occupancy(static_cast<size_t>(rows));
  // Active seats are counted as sold, then those held are moved.
  {
    auto& stmt = db.prepare(kRowSeats);
    stmt.setUInt64(1, c.id);
    ResultSetPtr rs = db.query(stmt);
    while (rs->next()) {
      const int64_t row = rs->getInt64(1);
      if (row >= 0 && row < rows) occupancy[static_cast<size_t>(row)].sold = rs->getInt64(2);
    }
  }
  {
    auto& stmt = db.prepare(kBlockSeats);
    stmt.setInt(1, heat.block_rows);
    stmt.setInt(2, heat.block_seats);
    stmt.setUInt64(3, c.id);
    ResultSetPtr rs = db.query(stmt);
    while (rs->next()) {
      const int64_t i = rs->getInt64(1), j = rs->getInt64(2);
      if (i >= 0 && static_cast<size_t>(i) < grid_rows && j >= 0 &&
          static_cast<size_t>(j) < grid_columns)
        heat.sold[static_cast<size_t>(i)][static_cast<size_t>(j)] = rs->getInt64(3);
    }
  }
  {
    auto& stmt = db.prepare(kHeldSeats);
    stmt.setInt(1, heat.block_seats);
    stmt.setUInt64(2, c.id);
    ResultSetPtr rs = db.query(stmt);
    while (rs->next()) {
      const int64_t row = rs->getInt64(1), k = rs->getInt64(2), n = rs->getInt64(3);
      if (row < 0 || row >= rows || k < 0 || static_cast<size_t>(k) >= grid_columns) continue;
      RowOccupancy& o = occupancy[static_cast<size_t>(row)];
      o.sold -= n;
      o.held += n;
      const size_t i = static_cast<size_t>(row / heat.block_rows), j = static_cast<size_t>(k);
      heat.sold[i][j] -= n;
      heat.held[i][j] += n;
    }
  }
  for (int i = 0; i < rows; ++i) {
    RowOccupancy& o = occupancy[static_cast<size_t>(i)];
    o.row = row_letters(i);
    o.free = std::max<int64_t>(0, per_row - o.sold - o.held);
    o.occupancy_percent = percent_of(o.sold, per_row);
  }
  r.rows = std::move(occupancy);

  const Histogram to_pay = histogram(db, kPayTimes, c.id);
  r.funnel.time_to_pay_p50_s = quantile(to_pay, 0.5);
  r.funnel.time_to_pay_p90_s = quantile(to_pay, 0.9);
  r.funnel.time_to_pay_p99_s = quantile(to_pay, 0.99);

  auto& stmt = db.prepare(kFreeZone);
  stmt.setUInt64(1, c.id);
  ResultSetPtr rs = db.query(stmt);
  if (rs->next()) {
    r.free_zone.applications = rs->getInt64(1);
    r.free_zone.granted = rs->getInt64(2);
    r.free_zone.rejected = rs->getInt64(3);
    r.free_zone.pending = rs->getInt64(4);
  }
  r.free_zone.median_decision_s = quantile(histogram(db, kDecisionTimes, c.id), 0.5);
  return {};
}

}  // namespace

int64_t SeatHeat::seats(size_t i, size_t j, int rows, int seats_per_row) const {
  const int64_t first_row = static_cast<int64_t>(i) * block_rows;
  const int64_t first_seat = static_cast<int64_t>(j) * block_seats;
  const int64_t r = std::clamp<int64_t>(rows - first_row, 0, block_rows);
  const int64_t s = std::clamp<int64_t>(seats_per_row - first_seat, 0, block_seats);
  return r * s;
}

Result<Millis> parse_bucket(std::string_view text) {
  if (text == "1m") return Millis{60000};
  if (text == "5m") return Millis{300000};
  if (text == "15m") return Millis{900000};
  if (text == "1h") return Millis{3600000};
  if (text == "1d") return Millis{86400000};
  return invalid("--bucket must be 1m, 5m, 15m, 1h or 1d, got " + quote(text));
}

std::string bucket_name(Millis bucket_ms) {
  switch (bucket_ms) {
    case 60000: return "1m";
    case 300000: return "5m";
    case 900000: return "15m";
    case 3600000: return "1h";
    case 86400000: return "1d";
  }
  return std::to_string(bucket_ms) + "ms";
}

Result<Report> build_report(Context& ctx, std::string_view concert, Millis bucket_ms) {
  if (bucket_ms < 1000 || bucket_ms % 1000 != 0)
    return invalid("a report's buckets are whole seconds, got " + std::to_string(bucket_ms) +
                   " ms");
  TL_ASSIGN_OR_RETURN(Concert c, find_concert(ctx, concert));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  TL_ASSIGN_OR_RETURN(std::unique_ptr<Db> second, Db::connect(ctx.config().mysql));
  Report r;
  r.concert = c;
  r.bucket_ms = bucket_ms;
  r.made_at = wall_clock_ms();
  // The seats on the second connection while the sales are read on the
  // first: each section is one transaction's snapshot; the two snapshots
  // start together.
  Report seats = r;
  Status seats_read;
  std::thread reader([&] {
    seats_read = second->transaction([&]() -> Status { return read_seats(*second, c, seats); });
  });
  Status sales_read = db->transaction([&]() -> Status { return read_sales(*db, c, r); });
  reader.join();
  TL_TRY(sales_read);
  TL_TRY(seats_read);
  r.rows = std::move(seats.rows);
  r.heat = std::move(seats.heat);
  r.free_zone = std::move(seats.free_zone);
  r.funnel.time_to_pay_p50_s = seats.funnel.time_to_pay_p50_s;
  r.funnel.time_to_pay_p90_s = seats.funnel.time_to_pay_p90_s;
  r.funnel.time_to_pay_p99_s = seats.funnel.time_to_pay_p99_s;
  return r;
}

std::string report_json(const Report& r) {
  nlohmann::json sales = nlohmann::json::array();
  for (const SalesBucket& b : r.sales) {
    sales.push_back({{"at", format_iso8601(b.at)},
                     {"held", b.held},
                     {"paid", b.paid},
                     {"expired", b.expired},
                     {"cancelled", b.cancelled},
                     {"revenue", format_money(b.revenue)},
                     {"held_total", b.held_total},
                     {"paid_total", b.paid_total},
                     {"expired_total", b.expired_total},
                     {"cancelled_total", b.cancelled_total},
                     {"revenue_total", format_money(b.revenue_total)}});
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const RowOccupancy& o : r.rows) {
    rows.push_back({{"row", o.row},
                    {"sold", o.sold},
                    {"held", o.held},
                    {"free", o.free},
                    {"occupancy_percent", o.occupancy_percent}});
  }
  nlohmann::json by_platform = nlohmann::json::object();
  for (const auto& [platform, m] : r.payments.by_platform) by_platform[platform] = money_count(m);
  nlohmann::json per_bucket = nlohmann::json::array();
  for (const auto& [at, n] : r.checkins.by_bucket)
    per_bucket.push_back({{"at", format_iso8601(at)}, {"admitted", n}});
  const nlohmann::json out = {
      {"concert",
       {{"id", r.concert.id},
        {"slug", r.concert.slug},
        {"name", r.concert.name},
        {"currency", r.concert.currency},
        {"rows", r.concert.layout.rows},
        {"seats_per_row", r.concert.layout.seats_per_row},
        {"free_seats", r.concert.layout.free_seats}}},
      {"made_at", format_iso8601(r.made_at)},
      {"bucket", bucket_name(r.bucket_ms)},
      {"sales", sales},
      {"funnel",
       {{"held", r.funnel.held},
        {"paid", r.funnel.paid},
        {"expired", r.funnel.expired},
        {"cancelled", r.funnel.cancelled},
        {"paid_percent", r.funnel.paid_percent},
        {"time_to_pay_p50_s", optional_number(r.funnel.time_to_pay_p50_s)},
        {"time_to_pay_p90_s", optional_number(r.funnel.time_to_pay_p90_s)},
        {"time_to_pay_p99_s", optional_number(r.funnel.time_to_pay_p99_s)}}},
      {"rows", rows},
      {"heat",
       {{"block_rows", r.heat.block_rows},
        {"block_seats", r.heat.block_seats},
        {"sold", r.heat.sold},
        {"held", r.heat.held}}},
      {"free_zone",
       {{"applications", r.free_zone.applications},
        {"granted", r.free_zone.granted},
        {"rejected", r.free_zone.rejected},
        {"pending", r.free_zone.pending},
        {"median_decision_s", optional_number(r.free_zone.median_decision_s)}}},
      {"payments",
       {{"by_platform", by_platform},
        {"refund_due", money_count(r.payments.refund_due)},
        {"refunded", money_count(r.payments.refunded)},
        {"review", money_count(r.payments.review)}}},
      {"checkins",
       {{"admitted", r.checkins.admitted},
        {"by_gate", r.checkins.by_gate},
        {"by_bucket", per_bucket},
        {"no_shows", r.checkins.no_shows}}}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ticket
