// What ticketlemond counts, rendered for Prometheus (/metrics).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ticket/timestamp.h"

namespace ticketlemond {

class Metrics {
 public:
  std::atomic<uint64_t> holds_expired{0};
  std::atomic<uint64_t> holds_released{0};
  std::atomic<uint64_t> holds_confirmed{0};
  std::atomic<uint64_t> sweep_expired{0};
  std::atomic<uint64_t> drift_missing{0};
  std::atomic<uint64_t> drift_leaked{0};
  std::atomic<uint64_t> drift_repaired{0};
  std::atomic<uint64_t> reconcile_runs{0};
  std::atomic<uint64_t> pass_errors{0};
  std::atomic<bool> redis_up{false};
  std::atomic<bool> mysql_up{false};
  std::atomic<ticket::Millis> checked_at{0};  // when redis_up/mysql_up were last set

  // The passes whose last run failed ("expire, sweep"), empty when none.
  void set_failing(std::string passes);
  std::string failing() const;

  // The seats of each concert as the last server check read them from
  // Redis: free, held and sold per zone, by slug.
  struct ConcertSeats {
    std::string slug;
    int64_t buy_free = 0, buy_held = 0, buy_sold = 0;
    int64_t free_free = 0, free_granted = 0;
  };
  void set_seats(std::vector<ConcertSeats> seats);

  // Scans at the gate by result (ticket::count_checkins).
  void add_checkins(const std::map<std::string, uint64_t>& by_result);

  // Release lag of expired holds: the last kWindow are kept for quantiles.
  void add_lags(const std::vector<ticket::Millis>& lags);

  // Prometheus text exposition format 0.0.4.
  std::string render() const;

  static constexpr size_t kWindow = 100000;

 private:
  // The q-quantile (0..1) of the kept lags, in milliseconds; 0 when none.
  double lag_quantile(double q) const;

  mutable std::mutex mu_;
  std::string failing_;
  std::deque<ticket::Millis> lags_;
  std::map<std::string, uint64_t> checkins_;
  std::vector<ConcertSeats> seats_;
  double lag_sum_s_ = 0;
  uint64_t lag_count_ = 0;
};

}  // namespace ticketlemond
