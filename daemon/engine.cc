#include "engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "ticket/checkin.h"
#include "ticket/expire.h"
#include "ticket/reconcile.h"
#include "ticket/seat_map_views.h"

namespace ticketlemond {
namespace {

using std::chrono::milliseconds;

// Concerts are listed again, servers checked and vanished maps rebuilt this
// often.
constexpr milliseconds kCheckEvery{1000};
// After a failed pass, wait this long before the next try.
constexpr milliseconds kRetryAfter{500};
// Shortest nap while holds are left due: those whose buyer may still be
// committing stay due for a while (kOrphanHoldGraceMs) and must not make the
// loop spin.
constexpr milliseconds kMinNap{10};
// Audit rows read for the check-in counts at each check: a large log is
// caught up with in steps.
constexpr uint64_t kCheckinRowsPerCheck = 200000;
// Full batches of one concert expired in a row before the next concert's turn.
constexpr int kBatchesInARow = 20;
// Threads, each with connections of its own, that share a batch of due
// holds: their transactions decide disjoint tickets side by side, and one
// releases in Redis while another decides in MySQL.
constexpr int kExpireWorkers = 3;

}  // namespace

Engine::Engine(ticket::Config config, Metrics& metrics) : metrics_(metrics) {
  reload(std::move(config));
}

void Engine::reload(ticket::Config config) {
  config_ = std::move(config);
  ctx_ = std::make_unique<ticket::Context>(config_);
  (void)ctx_->set_actor("ticketlemond");
  expire_helpers_.clear();
  expire_helper_ptrs_.clear();
  for (int i = 1; i < kExpireWorkers; ++i) {
    expire_helpers_.push_back(std::make_unique<ticket::Context>(config_));
    (void)expire_helpers_.back()->set_actor("ticketlemond");
    expire_helper_ptrs_.push_back(expire_helpers_.back().get());
  }
  // Every pass is judged afresh under the new settings (a pass that no
  // longer runs must not keep the daemon unhealthy).
  failing_.clear();
  next_check_ = next_sweep_ = Clock::now();
  next_reconcile_ =
      Clock::now() + std::chrono::seconds(std::max(1, config_.daemon.reconcile_interval_s));
}

void Engine::failed(const char* pass, const ticket::Error& error) {
  ++metrics_.pass_errors;
  const std::string what = std::string(pass) + ": " + error.message();
  std::string& last = failing_[pass];
  if (what != last) spdlog::warn("{}", what);
  last = what;
  last_failure_ = what;
}

void Engine::succeeded(const char* pass) { failing_.erase(pass); }

void Engine::publish_health() {
  std::string failing;
  for (const auto& entry : failing_) failing += (failing.empty() ? "" : ", ") + entry.first;
  metrics_.set_failing(failing);
  if (failing_.empty() && servers_ok_ && !last_failure_.empty()) {
    spdlog::info("working again after: {}", last_failure_);
    last_failure_.clear();
  }
}

milliseconds Engine::run_due() {
  const auto now = Clock::now();
  if (now >= next_check_) {
    next_check_ = now + kCheckEvery;
    check_servers();
  }
  // Holds first: the sweep is for tickets whose holds Redis lost.
  const milliseconds nap = expire_pass();
  if (now >= next_sweep_) {
    next_sweep_ = now + std::chrono::seconds(config_.daemon.sweep_interval_s);
    sweep_pass();
  }
  if (config_.daemon.reconcile_interval_s > 0 && now >= next_reconcile_) {
    next_reconcile_ = now + std::chrono::seconds(config_.daemon.reconcile_interval_s);
    reconcile_pass();
  }
  publish_health();
  return nap;
}

// MySQL counts as up only when it answers a query as the configured account
// (a wrong password or a missing schema is down too): up means the daemon
// can do its work.
void Engine::check_servers() {
  bool redis_up = false;
  if (auto pong = ctx_->ping_redis(); !pong.ok()) {
    failed("check redis", pong.error());
  } else {
    redis_up = true;
    succeeded("check redis");
  }
  auto concerts = ticket::list_concerts(*ctx_);
  metrics_.mysql_up = concerts.ok();
  if (concerts.ok()) {
    concerts_ = std::move(*concerts);
    succeeded("list concerts");
  }
  // A map that vanished (Redis flushed or restarted empty) is rebuilt now
  // rather than by the next buyer.
  if (redis_up && concerts.ok()) {
    bool rebuilt = true;
    std::vector<Metrics::ConcertSeats> seats;
    for (const auto& c : concerts_) {
      auto counts = ticket::read_seat_counts(*ctx_, c);
      if (!counts.ok()) {
        if (counts.error().kind() == ticket::ErrorKind::kUnavailable) redis_up = false;
        failed("rebuild", counts.error());
        rebuilt = false;
        break;
      }
      Metrics::ConcertSeats s;
      s.slug = c.slug;
      s.buy_held = counts->held;
      s.buy_sold = counts->buy_taken - counts->held;
      s.buy_free = c.layout.paid_seats() - counts->buy_taken;
      s.free_granted = counts->free_taken;
      s.free_free = c.layout.free_seats - counts->free_taken;
      seats.push_back(std::move(s));
    }
    if (rebuilt) {
      succeeded("rebuild");
      metrics_.set_seats(std::move(seats));
    }
  }
  metrics_.redis_up = redis_up;
  servers_ok_ = redis_up && concerts.ok();
  metrics_.checked_at = ticket::wall_clock_ms();
  if (!concerts.ok()) failed("list concerts", concerts.error());
  if (concerts.ok()) count_checkins_pass();
}

void Engine::count_checkins_pass() {
  auto r = ticket::count_checkins(*ctx_, checkins_counted_, checkins_upto_, kCheckinRowsPerCheck);
  if (!r.ok()) return failed("count check-ins", r.error());
  succeeded("count check-ins");
  metrics_.add_checkins(r->by_result);
  checkins_counted_ = r->last_id;
  checkins_upto_ = r->newest;
}

void Engine::sweep_pass() {
  auto r = ticket::sweep_overdue(*ctx_, config_.daemon.expire_batch);
  if (!r.ok()) {
    next_sweep_ = Clock::now() + kRetryAfter;
    return failed("sweep", r.error());
  }
  metrics_.sweep_expired += static_cast<uint64_t>(r->expired);
  metrics_.holds_expired += static_cast<uint64_t>(r->expired);
  metrics_.add_lags(r->lag_ms);
  if (r->expired > 0)
    spdlog::info("sweep: expired {} overdue ticket(s) found in MySQL", r->expired);
  if (r->more) next_sweep_ = Clock::now();
  succeeded("sweep");
}

void Engine::reconcile_pass() {
  ++metrics_.reconcile_runs;
  for (const auto& c : concerts_) {
    auto r = ticket::reconcile(*ctx_, c, true);
    if (!r.ok()) {
      next_reconcile_ = Clock::now() + kRetryAfter;
      return failed("reconcile", r.error());
    }
    if (!r->drift()) continue;
    metrics_.drift_missing += r->missing.size();
    metrics_.drift_leaked += r->leaked.size();
    if (r->repaired) ++metrics_.drift_repaired;
    spdlog::warn("reconcile: concert {} ({}) had {} missing and {} leaked seat(s); {}", c.id,
                 c.slug, r->missing.size(), r->leaked.size(),
                 r->repaired ? "repaired" : "not repaired yet");
  }
  succeeded("reconcile");
}

milliseconds Engine::expire_pass() {
  const auto max_nap = milliseconds(config_.daemon.max_nap_ms);
  milliseconds nap = max_nap;
  bool more = false, left_due = false;
  for (const auto& c : concerts_) {
    // A full batch means more is due: the concert's next batches follow at
    // once, up to kBatchesInARow, rather than after a round of every concert.
    bool full = true;
    for (int batch = 0; full && batch < kBatchesInARow; ++batch) {
      auto r = ticket::expire_due(*ctx_, expire_helper_ptrs_, c, config_.daemon.expire_batch);
      if (!r.ok()) {
        failed("expire", r.error());
        return kRetryAfter;
      }
      metrics_.holds_expired += static_cast<uint64_t>(r->expired);
      metrics_.holds_released += static_cast<uint64_t>(r->released);
      metrics_.holds_confirmed += static_cast<uint64_t>(r->confirmed);
      metrics_.add_lags(r->lag_ms);
      if (r->expired > 0) spdlog::debug("concert {}: expired {} hold(s)", c.id, r->expired);
      full = r->more;
    }
    more = more || full;
    auto next = ticket::next_deadline(*ctx_, c.id);
    if (!next.ok()) {
      failed("expire", next.error());
      return kRetryAfter;
    }
    if (*next) {
      const ticket::Millis until = **next - ticket::wall_clock_ms();
      if (until <= 0) left_due = true;
      nap = std::min(nap, milliseconds(std::max<ticket::Millis>(0, until)));
    }
  }
  succeeded("expire");
  if (more) return milliseconds(0);
  // Holds left due (their buyer may still be committing) must not make the
  // loop spin; otherwise wake at the earliest deadline itself.
  return left_due ? std::max(nap, kMinNap) : std::max(nap, milliseconds(1));
}

}  // namespace ticketlemond
