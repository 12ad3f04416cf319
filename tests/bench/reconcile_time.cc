// Reconciling a large concert (100,000 seats by default), most of it sold or
// held, and the final check for double bookings over every concert made.
#include <algorithm>
#include <random>

#include "bench.h"
#include "ticket/buy.h"
#include "ticket/cancel.h"
#include "ticket/pay.h"
#include "ticket/reconcile.h"
#include "ticket/seat_map_views.h"

namespace tlbench {
namespace {

using ticket::Context;

constexpr int kMaxSeatsPerTicket = 50;
constexpr int kRuns = 3;  // reconcile without repair; the median is reported

struct Filler {
  std::unique_ptr<Context> ctx;
  std::vector<std::string> held;  // codes left unpaid
  int64_t sold = 0;
};

// Fills 90% of every row with tickets of 1 to 50 adjacent seats, 8 in 9 of
// them paid, the rest held: about 80% sold and 10% held. Rows are shared out
// among the threads.
Result<std::vector<Filler>> fill(Bench& b, const ticket::Concert& concert) {
  const int c = b.options.buyers;
  const int per_row = concert.layout.seats_per_row, upto = std::max(1, per_row * 9 / 10);
  std::vector<Filler> fillers(static_cast<size_t>(c));
  auto prepare = [&](int t) -> Status {
    fillers[static_cast<size_t>(t)].ctx = std::make_unique<Context>(b.config);
    (void)fillers[static_cast<size_t>(t)].ctx->set_actor("tl-bench");
    return warm(*fillers[static_cast<size_t>(t)].ctx);
  };
  auto work = [&](int t, Clock::time_point) -> Status {
    Filler& me = fillers[static_cast<size_t>(t)];
    std::mt19937_64 rng(static_cast<uint64_t>(t) * 7919 + 1);
    std::uniform_int_distribution<int> size(1, kMaxSeatsPerTicket);
    std::uniform_int_distribution<int> ninth(0, 8);
    ticket::BuyRequest req;
    req.concert = std::to_string(concert.id);
    req.customer = {"Bench filler", "30", "Unspecified", ""};
    int64_t n = 0;
    for (int row = t; row < concert.layout.rows; row += c) {
      for (int seat = 0; seat < upto;) {
        const int k = std::min(size(rng), upto - seat);
        req.seats.clear();
        for (int i = 0; i < k; ++i)
          req.seats.push_back(ticket::seat_label({ticket::Zone::kBuy, row, seat + i + 1}));
        req.customer.id_number = b.run_id + "R" + std::to_string(t) + "N" + std::to_string(n++);
        TL_ASSIGN_OR_RETURN(ticket::Ticket held, ticket::buy(*me.ctx, req));
        seat += k;
        if (ninth(rng) == 0) {
          me.held.push_back(held.code);
          continue;
        }
        TL_TRY(ticket::pay(*me.ctx, {held.code, "DIRECT", "BENCH-" + held.code}));
        me.sold += k;
      }
    }
    return {};
  };
  TL_ASSIGN_OR_RETURN(double elapsed, run_timed(c, 0, prepare, work));
  b.figures["reconcile_fill_s"] = elapsed;
  return fillers;
}

// The held tickets are cancelled, so that no later daemon has them to expire.
Status cancel_held(Bench& b, const std::vector<Filler>& fillers) {
  const int c = static_cast<int>(fillers.size());
  std::vector<std::unique_ptr<Context>> ctxs(static_cast<size_t>(c));
  auto prepare = [&](int t) -> Status {
    ctxs[static_cast<size_t>(t)] = std::make_unique<Context>(b.config);
    (void)ctxs[static_cast<size_t>(t)]->set_actor("tl-bench");
    return warm(*ctxs[static_cast<size_t>(t)]);
  };
  auto work = [&](int t, Clock::time_point) -> Status {
    for (const std::string& code : fillers[static_cast<size_t>(t)].held)
      TL_TRY(ticket::cancel(*ctxs[static_cast<size_t>(t)], code, "tl-bench: end of the run"));
    return {};
  };
  TL_TRY(run_timed(c, 0, prepare, work));
  return {};
}

}  // namespace

Status measure_reconcile(Bench& b) {
  Context ctx(b.config);
  (void)ctx.set_actor("tl-bench");
  TL_ASSIGN_OR_RETURN(
      ticket::Concert concert,
      make_concert(b, ctx, "reconcile", b.options.reconcile_seats, 3600, kMaxSeatsPerTicket));
  TL_TRY(ticket::read_seat_counts(ctx, concert));
  TL_ASSIGN_OR_RETURN(std::vector<Filler> fillers, fill(b, concert));
  int64_t sold = 0, held_tickets = 0;
  for (const Filler& f : fillers) {
    sold += f.sold;
    held_tickets += static_cast<int64_t>(f.held.size());
  }
  TL_ASSIGN_OR_RETURN(ticket::SeatCounts counts, ticket::read_seat_counts(ctx, concert));

  std::vector<double> runs;
  size_t drift = 0;
  for (int i = 0; i < kRuns; ++i) {
    const auto start = Clock::now();
    TL_ASSIGN_OR_RETURN(ticket::ReconcileReport r, ticket::reconcile(ctx, concert, false));
    runs.push_back(ms_since(start));
    drift = std::max(drift, r.missing.size() + r.leaked.size());
  }
  const auto start = Clock::now();
  TL_ASSIGN_OR_RETURN(ticket::ReconcileReport repaired, ticket::reconcile(ctx, concert, true));
  const double repair_ms = ms_since(start);
  drift = std::max(drift, repaired.missing.size() + repaired.leaked.size());

  Figures& f = b.figures;
  f["reconcile_100k_ms"] = quantile(runs, 0.5);
  f["reconcile_repair_ms"] = repair_ms;
  f["reconcile_seats"] = concert.layout.paid_seats();
  f["reconcile_sold_seats"] = sold;
  f["reconcile_held_seats"] = counts.held;
  f["reconcile_held_tickets"] = held_tickets;
  f["reconcile_drift_seats"] = drift;
  return cancel_held(b, fillers);
}

Status count_double_bookings(Bench& b) {
  Context ctx(b.config);
  std::string ids;
  for (const ticket::Concert& c : b.concerts)
    ids += (ids.empty() ? "" : ",") + std::to_string(c.id);
  if (ids.empty()) ids = "0";
  TL_ASSIGN_OR_RETURN(
      int64_t doubled,
      scalar(ctx,
             "SELECT COUNT(*) FROM (SELECT concert_id, zone, seat_row, seat_number"
             " FROM TICKET_SEATS WHERE concert_id IN (" +
                 ids +
                 ") AND status <> 'FAIL'"
                 " GROUP BY concert_id, zone, seat_row, seat_number HAVING COUNT(*) > 1) d"));
  b.figures["double_bookings"] = doubled;
  // Redis and MySQL agree on the concert the buyers bought from.
  if (b.sale.id != 0) {
    TL_ASSIGN_OR_RETURN(ticket::ReconcileReport r, ticket::reconcile(ctx, b.sale, false));
    b.figures["sale_drift_seats"] = r.missing.size() + r.leaked.size();
  }
  return {};
}

}  // namespace tlbench
