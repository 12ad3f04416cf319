// The sales report of a concert of N tickets (default 1,000,000): the sale
// written straight into MySQL in a known mix, then reported through
// ticket::build_report as `tl-admin report` runs it, from a fresh
// connection each time.
#include <algorithm>

#include "bench.h"
#include "db.h"
#include "ticket/report.h"

namespace tlbench {
namespace {

using ticket::Context;

// The mix, by ticket number n and n mod 20: 0-11 paid (30 s to 269 s after
// the hold), 12-15 expired, 16 paid and cancelled (its payment refunded or
// due), 17 cancelled while held, 18-19 held still. Tickets are held 7 ms
// apart over the two hours before the run, one seat each, in number order;
// four in five of the paid ones are admitted at three gates; of the
// cancelled paid ones, about half were refunded and half were admitted
// before they were cancelled.
struct Mix {
  int64_t held = 0, paid = 0, expired = 0, cancelled = 0, admitted = 0, no_shows = 0;
};

Mix expected_mix(int n) {
  Mix m;
  for (int i = 0; i < n; ++i) {
    const int k = i % 20;
    ++m.held;
    if (k < 12 || k == 16) ++m.paid;
    if (k >= 12 && k <= 15) ++m.expired;
    if (k == 16 || k == 17) ++m.cancelled;
    const bool admitted = (k < 12 && i % 10 < 8) || (k == 16 && i % 40 == 16);
    if (admitted) ++m.admitted;
    if (k < 12 && !admitted) ++m.no_shows;
  }
  return m;
}

Status write_sale(Bench& b, Context& ctx, const ticket::Concert& concert, const std::string& prefix,
                  int n) {
  TL_ASSIGN_OR_RETURN(ticket::Db * db, ctx.db());
  TL_ASSIGN_OR_RETURN(auto numbers, NumberTable::make(b, ctx, "report", n));
  const std::string from = numbers->name() + " s";
  const std::string who = "tl-bench report " + b.run_id + " " + prefix + " ";
  const std::string code = code_sql("s.n");
  const int per_row = concert.layout.seats_per_row;
  auto run = [&](const std::string& sql, const std::function<void(sql::PreparedStatement&)>& bind) {
    return run_bound(*db, sql, bind);
  };
  TL_TRY(write_customers(*db, *numbers, who));
  // Held at `base` + 7 ms per number; the times of the mix from there.
  TL_TRY(run(
      "INSERT INTO TICKETS (code, concert_id, customer_id, zone, status, reason, amount, currency,"
      " hold_expires_at, created_at, updated_at, paid_at, holder_name, holder_age, holder_gender)"
      " SELECT " +
          code_sql("x.n") +
          ", k.id, cu.id, 'BUY',"
          " CASE WHEN x.k < 12 THEN 'SUCCESS' WHEN x.k < 18 THEN 'FAIL' ELSE 'PROCESS' END,"
          " CASE WHEN x.k BETWEEN 12 AND 15 THEN 'EXPIRED' WHEN x.k IN (16, 17) THEN 'CANCELLED'"
          " END, k.price, k.currency,"
          " IF(x.k < 18, x.at + INTERVAL 300 SECOND, NOW(3) + INTERVAL 1 DAY), x.at,"
          " CASE WHEN x.k < 12 THEN x.at + INTERVAL x.pay SECOND"
          " WHEN x.k < 16 THEN x.at + INTERVAL 300 SECOND"
          " WHEN x.k < 18 THEN x.at + INTERVAL 3600 SECOND ELSE x.at END,"
          " IF(x.k < 12 OR x.k = 16, x.at + INTERVAL x.pay SECOND, NULL),"
          " cu.name, 30, 'Unspecified'"
          " FROM (SELECT s.n, s.n MOD 20 AS k, 30 + s.n MOD 240 AS pay,"
          " NOW(3) - INTERVAL 7200 SECOND + INTERVAL s.n * 7000 MICROSECOND AS at FROM " +
          from +
          ") x JOIN CUSTOMERS cu ON cu.id_hash = UNHEX(SHA2(CONCAT(?, x.n), 256))"
          " JOIN CONCERTS k ON k.id = ?",
      [&](auto& s) {
        s.setString(1, prefix);
        s.setString(2, who);
        s.setUInt64(3, concert.id);
      }));
  TL_TRY(write_seats(*db, *numbers, prefix, per_row, "t.status"));
  TL_TRY(
      run("INSERT INTO TICKETS_APPLY_BUY (ticket_id, amount, currency, platform, reference, "
          "paid_at) SELECT t.id, t.amount, t.currency, IF(t.paid_at IS NULL, NULL, ELT(1 + t.id "
          "MOD 3, 'QRCODE', 'DIRECT', 'PAYPLAT')), IF(t.paid_at IS NULL, NULL, CONCAT('BENCH-', "
          "t.code)), t.paid_at FROM TICKETS t WHERE t.concert_id = ?",
          [&](auto& s) { s.setUInt64(1, concert.id); }));
  TL_TRY(run(
      "INSERT INTO PAYMENTS (ticket_id, ticket_code, concert_id, state, amount, currency, "
      "platform, provider, reference, received_at, updated_at) SELECT t.id, t.code, "
      "t.concert_id, IF(t.status = 'SUCCESS', 'PAID', IF(t.id DIV 20 MOD 2 = 0, "
      "'REFUNDED', 'REFUND_DUE')), p.amount, p.currency, p.platform, 'tl-bench', p.reference, p.paid_at, "
      "t.updated_at FROM TICKETS t JOIN TICKETS_APPLY_BUY p ON p.ticket_id = t.id "
      "WHERE t.concert_id = ? AND t.paid_at IS NOT NULL",
      [&](auto& s) { s.setUInt64(1, concert.id); }));
  return run(
      "INSERT INTO CHECKINS (ticket_id, concert_id, at, gate, actor) SELECT t.id, t.concert_id, "
      "t.created_at + INTERVAL 1 DAY, ELT(1 + s.n MOD 3, 'North', 'South', 'East'), 'tl-bench' "
      "FROM " +
          from + " JOIN TICKETS t ON t.code = " + code +
          " WHERE (s.n MOD 20 < 12 AND s.n MOD 10 < 8) OR s.n MOD 40 = 16",
      [&](auto& s) { s.setString(1, prefix); });
}

}  // namespace

Status measure_report(Bench& b) {
  const int n = b.options.report_tickets;
  Context ctx(b.config);
  TL_ASSIGN_OR_RETURN(ticket::Concert concert, make_concert(b, ctx, "report", n, 300, 1));
  TL_ASSIGN_OR_RETURN(std::string prefix, unused_code_prefix(ctx));
  const auto load_start = Clock::now();
  TL_TRY(write_sale(b, ctx, concert, prefix, n));
  b.figures["report_load_s"] = ms_since(load_start) / 1000;
  // Three reports, each from a new context as a tool's run would be; the
  // median is the figure.
  std::vector<double> runs;
  ticket::Report last;
  for (int i = 0; i < 3; ++i) {
    Context fresh(b.config);
    const auto start = Clock::now();
    TL_ASSIGN_OR_RETURN(last, ticket::build_report(fresh, concert.slug, 60000));
    runs.push_back(ms_since(start));
  }
  b.figures["report_ms_runs"] = runs;
  b.figures["report_1m_ms"] = quantile(runs, 0.5);
  b.figures["report_tickets"] = n;
  // The report must say what was written.
  const Mix m = expected_mix(n);
  const ticket::Funnel& f = last.funnel;
  if (f.held != m.held || f.paid != m.paid || f.expired != m.expired ||
      f.cancelled != m.cancelled || last.checkins.admitted != m.admitted ||
      last.checkins.no_shows != m.no_shows)
    return ticket::internal(
        "the report of the bench sale does not match it: held " + std::to_string(f.held) + "/" +
        std::to_string(m.held) + ", paid " + std::to_string(f.paid) + "/" + std::to_string(m.paid) +
        ", expired " + std::to_string(f.expired) + "/" + std::to_string(m.expired) +
        ", cancelled " + std::to_string(f.cancelled) + "/" + std::to_string(m.cancelled) +
        ", admitted " + std::to_string(last.checkins.admitted) + "/" + std::to_string(m.admitted) +
        ", no-shows " + std::to_string(last.checkins.no_shows) + "/" + std::to_string(m.no_shows));
  b.figures["report_checked"] = true;
  return {};
}

}  // namespace tlbench
