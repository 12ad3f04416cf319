// The on-sale itself: buyers through libticket (buy, then pay or abandon),
// the Redis hold step alone, and seat-availability reads.
#include <atomic>
#include <random>
#include <thread>

#include "bench.h"
#include "ticket/buy.h"
#include "ticket/expire.h"
#include "ticket/pay.h"
#include "ticket/seat_map_views.h"
#include "ticket/seat_map_writes.h"

namespace tlbench {
namespace {

using ticket::Context;
using ticket::ErrorKind;

// Holds of the buy phase run out this long after the buy; the bench expires
// the abandoned ones itself once the short phases are over.
constexpr int kSaleHoldSeconds = 5;

// Holds of the holds phase: 1,000,000 seats leave every thread room.
constexpr int kHoldSeats = 1000000;

// A buyer gives up after this many failures other than a taken seat.
constexpr int kMaxErrors = 100;

struct Buyer {
  std::unique_ptr<Context> ctx;
  std::mt19937_64 rng{std::random_device{}()};
  std::vector<double> latency_ms;
  int64_t paid = 0, pay_late = 0, conflicts = 0, errors = 0;
  ticket::Millis latest_deadline = 0;
  double buy_ms = 0;  // time spent in buy()
};

}  // namespace

Status measure_buys(Bench& b) {
  const int c = b.options.buyers;
  Context main_ctx(b.config);
  TL_ASSIGN_OR_RETURN(b.sale,
                      make_concert(b, main_ctx, "sale", b.options.seats, kSaleHoldSeconds, 1));
  const ticket::Concert concert = b.sale;
  const int seats = concert.layout.paid_seats();
  TL_TRY(ticket::read_seat_counts(main_ctx, concert));  // the map is built before the clock starts

  std::vector<Buyer> buyers(static_cast<size_t>(c));
  std::atomic<int64_t> taken{0};
  std::atomic<bool> sold_out{false};
  auto prepare = [&](int t) -> Status {
    Buyer& me = buyers[static_cast<size_t>(t)];
    me.ctx = std::make_unique<Context>(b.config);
    (void)me.ctx->set_actor("tl-bench");
    return warm(*me.ctx);
  };
  auto work = [&](int t, Clock::time_point deadline) -> Status {
    Buyer& me = buyers[static_cast<size_t>(t)];
    std::uniform_int_distribution<int> pick(0, seats - 1);
    std::uniform_real_distribution<double> coin(0, 1);
    ticket::BuyRequest req;
    req.concert = std::to_string(concert.id);
    req.customer = {"Bench buyer", "30", "Unspecified", ""};
    for (int64_t n = 0; Clock::now() < deadline; ++n) {
      if (taken.load() >= seats) {
        sold_out = true;
        break;
      }
      req.seats = {
          ticket::seat_label(ticket::seat_at(ticket::Zone::kBuy, pick(me.rng), concert.layout))};
      req.customer.id_number = b.run_id + "S" + std::to_string(t) + "N" + std::to_string(n);
      const auto start = Clock::now();
      auto bought = ticket::buy(*me.ctx, req);
      const double ms = ms_since(start);
      me.buy_ms += ms;
      if (!bought.ok()) {
        if (bought.error().kind() == ErrorKind::kConflict) {
          ++me.conflicts;
          continue;
        }
        if (++me.errors >= kMaxErrors) return bought.error().with_context("buying");
        continue;
      }
      ++taken;
      me.latency_ms.push_back(ms);
      me.latest_deadline = std::max(me.latest_deadline, bought->hold_expires_at.value_or(0));
      if (coin(me.rng) >= b.options.pay_ratio) continue;  // abandoned: the hold runs out
      auto paid = ticket::pay(*me.ctx, {bought->code, "DIRECT", "BENCH-" + bought->code});
      if (paid.ok()) {
        ++me.paid;
      } else if (paid.error().kind() == ErrorKind::kExpired) {
        ++me.pay_late;
      } else if (++me.errors >= kMaxErrors) {
        return paid.error().with_context("paying");
      }
    }
    return {};
  };
  TL_ASSIGN_OR_RETURN(double elapsed, run_timed(c, b.options.duration_s, prepare, work));

  std::vector<double> latency;
  int64_t paid = 0, late = 0, conflicts = 0, errors = 0;
  double buy_ms = 0;
  for (Buyer& me : buyers) {
    latency.insert(latency.end(), me.latency_ms.begin(), me.latency_ms.end());
    paid += me.paid;
    late += me.pay_late;
    conflicts += me.conflicts;
    errors += me.errors;
    buy_ms += me.buy_ms;
    b.sale_holds_due = std::max(b.sale_holds_due, me.latest_deadline);
  }
  const auto bought = static_cast<double>(latency.size());
  Figures& f = b.figures;
  f["buys_per_s"] = bought / elapsed;
  f["buy_p50_ms"] = quantile(latency, 0.5);
  f["buy_p99_ms"] = quantile(latency, 0.99);
  f["buys"] = latency.size();
  f["buy_phase_s"] = elapsed;
  f["pays"] = paid;
  f["pays_per_s"] = static_cast<double>(paid) / elapsed;
  f["pays_too_late"] = late;
  f["buy_conflicts"] = conflicts;
  f["buy_errors"] = errors;
  f["sold_out"] = sold_out.load();
  // The share of the buyers' time spent inside buy() (the rest: pay, picking seats).
  f["buy_time_share"] = buy_ms / (elapsed * 1000.0 * c);
  return {};
}

Status measure_holds(Bench& b) {
  const int c = b.options.buyers;
  Context main_ctx(b.config);
  TL_ASSIGN_OR_RETURN(ticket::Concert concert,
                      make_concert(b, main_ctx, "holds", kHoldSeats, 600, 1));
  TL_TRY(ticket::read_seat_counts(main_ctx, concert));
  const ticket::Millis hold_until = ticket::wall_clock_ms() + 600 * 1000;

  std::vector<std::unique_ptr<Context>> ctxs(static_cast<size_t>(c));
  std::vector<int64_t> held(static_cast<size_t>(c), 0);
  auto prepare = [&](int t) -> Status {
    ctxs[static_cast<size_t>(t)] = std::make_unique<Context>(b.config);
    return warm(*ctxs[static_cast<size_t>(t)]);
  };
  // Thread t holds seats t, t + C, t + 2C, ...: every hold succeeds.
  auto work = [&](int t, Clock::time_point deadline) -> Status {
    Context& ctx = *ctxs[static_cast<size_t>(t)];
    int64_t& n = held[static_cast<size_t>(t)];
    for (int seat = t; seat < kHoldSeats && Clock::now() < deadline; seat += c, ++n) {
      auto r = ticket::hold_seats(ctx, concert, bench_code(t, n), hold_until, {seat});
      if (!r.ok()) return r.error().with_context("holding");
    }
    return {};
  };
  TL_ASSIGN_OR_RETURN(double elapsed, run_timed(c, b.short_phase_s(), prepare, work));
  int64_t total = 0;
  for (int64_t n : held) total += n;
  b.figures["holds_per_s"] = static_cast<double>(total) / elapsed;
  b.figures["holds"] = total;
  // The concert has no tickets: its map is dropped, and would rebuild empty.
  return ticket::drop_seat_map(main_ctx, concert.id);
}

Status measure_reads(Bench& b) {
  const int c = b.options.buyers;
  std::vector<std::unique_ptr<Context>> ctxs(static_cast<size_t>(c));
  std::vector<int64_t> reads(static_cast<size_t>(c), 0);
  auto prepare = [&](int t) -> Status {
    ctxs[static_cast<size_t>(t)] = std::make_unique<Context>(b.config);
    return warm(*ctxs[static_cast<size_t>(t)]);
  };
  auto work = [&](int t, Clock::time_point deadline) -> Status {
    Context& ctx = *ctxs[static_cast<size_t>(t)];
    for (; Clock::now() < deadline; ++reads[static_cast<size_t>(t)]) {
      auto r = ticket::read_seat_counts(ctx, b.sale);
      if (!r.ok()) return r.error().with_context("reading seat counts");
    }
    return {};
  };
  TL_ASSIGN_OR_RETURN(double elapsed, run_timed(c, b.short_phase_s(), prepare, work));
  int64_t total = 0;
  for (int64_t n : reads) total += n;
  b.figures["reads_per_s"] = static_cast<double>(total) / elapsed;
  return {};
}

// The abandoned holds of the buy phase are expired here, once due, so that
// they do not wait for the daemon of the release-lag phase (or of the next
// run) and distort what it measures.
Status settle_sale_holds(Bench& b) {
  Context ctx(b.config);
  (void)ctx.set_actor("tl-bench");
  int64_t expired = 0;
  const auto start = Clock::now();
  for (;;) {
    TL_ASSIGN_OR_RETURN(std::optional<ticket::Millis> next, ticket::next_deadline(ctx, b.sale.id));
    if (!next) break;
    const ticket::Millis wait = *next - ticket::wall_clock_ms();
    if (wait > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<ticket::Millis>(wait, 1000)));
    TL_ASSIGN_OR_RETURN(ticket::ExpireReport r, ticket::expire_due(ctx, b.sale, 1000));
    expired += r.expired;
    // Nothing decided: a hold without a ticket waits out its grace period.
    if (r.expired + r.released + r.confirmed + r.rescheduled == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (ms_since(start) > 120000)
      return ticket::internal("the holds of the buy phase did not expire in 120 s");
  }
  b.figures["sale_holds_expired"] = expired;
  return {};
}

}  // namespace tlbench
