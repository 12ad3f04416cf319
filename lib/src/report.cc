#include "ticket/report.h"

#include <cppconn/resultset.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "db.h"
#include "stored_values.h"
#include "ticket/seat_label.h"
#include "ticket/stats.h"
#include "ticket/text.h"

namespace ticket {
namespace {

// A time's bucket: its number since the epoch, bucket_ms wide.
#define TL_BUCKET(column) "FLOOR(UNIX_TIMESTAMP(" column ") * 1000 / ?)"

constexpr const char* kHeld =
    "SELECT " TL_BUCKET("created_at") " AS b, COUNT(*) FROM TICKETS"
    " WHERE concert_id = ? AND zone = 'BUY' GROUP BY b";
constexpr const char* kPaid =
    "SELECT " TL_BUCKET("p.paid_at") " AS b, COUNT(*), COALESCE(SUM(p.amount), 0)"
    " FROM TICKETS_APPLY_BUY p JOIN TICKETS t ON t.id = p.ticket_id"
    " WHERE t.concert_id = ? AND p.paid_at IS NOT NULL GROUP BY b";
// A failed ticket is not changed after it failed but by a revival, which
// makes it SUCCESS: its updated_at is when it failed.
constexpr const char* kFailed =
    "SELECT " TL_BUCKET("updated_at") " AS b, reason, COUNT(*) FROM TICKETS"
    " WHERE concert_id = ? AND zone = 'BUY' AND status = 'FAIL'"
    " AND reason IN ('EXPIRED', 'CANCELLED') GROUP BY b, reason";
constexpr const char* kFunnel =
    "SELECT COUNT(*), COALESCE(SUM(p.paid_at IS NOT NULL), 0),"
    " COALESCE(SUM(t.status = 'FAIL' AND t.reason = 'EXPIRED'), 0),"
    " COALESCE(SUM(t.status = 'FAIL' AND t.reason = 'CANCELLED'), 0)"
    " FROM TICKETS t LEFT JOIN TICKETS_APPLY_BUY p ON p.ticket_id = t.id"
    " WHERE t.concert_id = ? AND t.zone = 'BUY'";
// The n-th (0-based) time to pay in seconds, in order.
constexpr const char* kTimeToPay =
    "SELECT TIMESTAMPDIFF(MICROSECOND, t.created_at, p.paid_at) / 1000000 AS d"
    " FROM TICKETS t JOIN TICKETS_APPLY_BUY p ON p.ticket_id = t.id"
    " WHERE t.concert_id = ? AND p.paid_at IS NOT NULL ORDER BY d LIMIT 1 OFFSET ?";
constexpr const char* kRows =
    "SELECT seat_row, COALESCE(SUM(status = 'SUCCESS'), 0), COALESCE(SUM(status = 'PROCESS'), 0)"
    " FROM TICKET_SEATS WHERE concert_id = ? AND zone = 'BUY' AND active = 1 GROUP BY seat_row";
constexpr const char* kFreeZone =
    "SELECT COUNT(*), COALESCE(SUM(status = 'SUCCESS'), 0),"
    " COALESCE(SUM(status = 'FAIL' AND reason = 'REJECTED'), 0),"
    " COALESCE(SUM(status = 'PROCESS'), 0) FROM TICKETS WHERE concert_id = ? AND zone = 'FREE'";
constexpr const char* kDecisions =
    "SELECT COUNT(*) FROM TICKETS t JOIN TICKETS_APPLY_FREE a ON a.ticket_id = t.id"
    " WHERE t.concert_id = ? AND a.decided_at IS NOT NULL";
constexpr const char* kDecisionTime =
    "SELECT TIMESTAMPDIFF(MICROSECOND, t.created_at, a.decided_at) / 1000000 AS d"
    " FROM TICKETS t JOIN TICKETS_APPLY_FREE a ON a.ticket_id = t.id"
    " WHERE t.concert_id = ? AND a.decided_at IS NOT NULL ORDER BY d LIMIT 1 OFFSET ?";
constexpr const char* kPayments =
    "SELECT state, platform, COUNT(*), COALESCE(SUM(amount), 0) FROM PAYMENTS"
    " WHERE concert_id = ? GROUP BY state, platform";
constexpr const char* kGates =
    "SELECT gate, COUNT(*) FROM CHECKINS WHERE concert_id = ? GROUP BY gate";
constexpr const char* kCheckinBuckets =
    "SELECT " TL_BUCKET("at") " AS b, COUNT(*) FROM CHECKINS WHERE concert_id = ? GROUP BY b"
    " ORDER BY b";
constexpr const char* kNoShows =
    "SELECT COUNT(*) FROM TICKETS t LEFT JOIN CHECKINS c ON c.ticket_id = t.id"
    " WHERE t.concert_id = ? AND t.status = 'SUCCESS' AND c.ticket_id IS NULL";

// The q-quantile by nearest rank of `n` ordered values that `nth` reads.
std::optional<double> quantile(Db& db, const char* sql, uint64_t concert, int64_t n, double q) {
  if (n == 0) return std::nullopt;
  const int64_t rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * n)));
  auto& stmt = db.prepare(sql);
  stmt.setUInt64(1, concert);
  stmt.setInt64(2, rank - 1);
  ResultSetPtr rs = db.query(stmt);
  if (!rs->next()) return std::nullopt;
  return std::round(rs->getDouble(1) * 10.0) / 10.0;
}

std::optional<int64_t> one_count(Db& db, const char* sql, uint64_t concert) {
  auto& stmt = db.prepare(sql);
  stmt.setUInt64(1, concert);
  ResultSetPtr rs = db.query(stmt);
  if (!rs->next()) return std::nullopt;
  return rs->getInt64(1);
}

nlohmann::json optional_number(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

nlohmann::json money_count(const MoneyCount& m) {
  return {{"count", m.count}, {"amount", format_money(m.amount)}};
}

}  // namespace

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
  TL_ASSIGN_OR_RETURN(Concert c, find_concert(ctx, concert));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  Report r;
  r.concert = c;
  r.bucket_ms = bucket_ms;
  r.made_at = wall_clock_ms();
  TL_TRY(db->transaction([&]() -> Status {
    // Sales per bucket, from three aggregates merged by bucket.
    std::map<int64_t, SalesBucket> buckets;
    auto bucketed = [&](const char* sql) -> sql::PreparedStatement& {
      auto& stmt = db->prepare(sql);
      stmt.setInt64(1, bucket_ms);
      stmt.setUInt64(2, c.id);
      return stmt;
    };
    {
      ResultSetPtr rs = db->query(bucketed(kHeld));
      while (rs->next()) buckets[rs->getInt64(1)].held = rs->getInt64(2);
    }
    {
      ResultSetPtr rs = db->query(bucketed(kPaid));
      while (rs->next()) {
        SalesBucket& b = buckets[rs->getInt64(1)];
        b.paid = rs->getInt64(2);
        TL_ASSIGN_OR_RETURN(b.revenue, stored_money(*rs, 3));
      }
    }
    {
      ResultSetPtr rs = db->query(bucketed(kFailed));
      while (rs->next()) {
        SalesBucket& b = buckets[rs->getInt64(1)];
        (std::string(rs->getString(2)) == "EXPIRED" ? b.expired : b.cancelled) = rs->getInt64(3);
      }
    }
    SalesBucket total;
    for (auto& [n, b] : buckets) {
      b.at = n * bucket_ms;
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

    {
      auto& stmt = db->prepare(kFunnel);
      stmt.setUInt64(1, c.id);
      ResultSetPtr rs = db->query(stmt);
      if (rs->next()) {
        r.funnel.held = rs->getInt64(1);
        r.funnel.paid = rs->getInt64(2);
        r.funnel.expired = rs->getInt64(3);
        r.funnel.cancelled = rs->getInt64(4);
      }
      r.funnel.paid_percent = percent_of(r.funnel.paid, r.funnel.held);
      r.funnel.time_to_pay_p50_s = quantile(*db, kTimeToPay, c.id, r.funnel.paid, 0.5);
      r.funnel.time_to_pay_p90_s = quantile(*db, kTimeToPay, c.id, r.funnel.paid, 0.9);
      r.funnel.time_to_pay_p99_s = quantile(*db, kTimeToPay, c.id, r.funnel.paid, 0.99);
    }

    {
      std::vector<RowOccupancy> rows(static_cast<size_t>(c.layout.rows));
      auto& stmt = db->prepare(kRows);
      stmt.setUInt64(1, c.id);
      ResultSetPtr rs = db->query(stmt);
      while (rs->next()) {
        const int64_t row = rs->getInt64(1);
        if (row < 0 || row >= c.layout.rows) continue;
        rows[static_cast<size_t>(row)].sold = rs->getInt64(2);
        rows[static_cast<size_t>(row)].held = rs->getInt64(3);
      }
      for (int i = 0; i < c.layout.rows; ++i) {
        RowOccupancy& o = rows[static_cast<size_t>(i)];
        o.row = row_letters(i);
        o.free = std::max<int64_t>(0, c.layout.seats_per_row - o.sold - o.held);
        o.occupancy_percent = percent_of(o.sold, c.layout.seats_per_row);
      }
      r.rows = std::move(rows);
    }

    {
      auto& stmt = db->prepare(kFreeZone);
      stmt.setUInt64(1, c.id);
      ResultSetPtr rs = db->query(stmt);
      if (rs->next()) {
        r.free_zone.applications = rs->getInt64(1);
        r.free_zone.granted = rs->getInt64(2);
        r.free_zone.rejected = rs->getInt64(3);
        r.free_zone.pending = rs->getInt64(4);
      }
      r.free_zone.median_decision_s =
          quantile(*db, kDecisionTime, c.id, one_count(*db, kDecisions, c.id).value_or(0), 0.5);
    }

    {
      auto& stmt = db->prepare(kPayments);
      stmt.setUInt64(1, c.id);
      ResultSetPtr rs = db->query(stmt);
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
      auto& gates = db->prepare(kGates);
      gates.setUInt64(1, c.id);
      ResultSetPtr rs = db->query(gates);
      while (rs->next()) {
        r.checkins.by_gate[rs->getString(1)] = rs->getInt64(2);
        r.checkins.admitted += rs->getInt64(2);
      }
      ResultSetPtr per = db->query(bucketed(kCheckinBuckets));
      while (per->next())
        r.checkins.by_bucket.emplace_back(per->getInt64(1) * bucket_ms, per->getInt64(2));
      r.checkins.no_shows = one_count(*db, kNoShows, c.id).value_or(0);
    }
    return {};
  }));
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
