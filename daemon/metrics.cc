#include "metrics.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

namespace ticketlemond {
namespace {

void counter(std::string& out, const char* name, const char* help, uint64_t value) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name +
         " " + std::to_string(value) + "\n";
}

void gauge(std::string& out, const char* name, const char* help, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", value);
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " +
         buf + "\n";
}

}  // namespace

void Metrics::set_failing(std::string passes) {
  std::lock_guard lock(mu_);
  failing_ = std::move(passes);
}

std::string Metrics::failing() const {
  std::lock_guard lock(mu_);
  return failing_;
}

void Metrics::add_lags(const std::vector<ticket::Millis>& lags) {
  std::lock_guard lock(mu_);
  for (ticket::Millis l : lags) {
    lags_.push_back(l);
    lag_sum_s_ += static_cast<double>(l) / 1000.0;
    ++lag_count_;
    if (lags_.size() > kWindow) lags_.pop_front();
  }
}

void Metrics::set_seats(std::vector<ConcertSeats> seats) {
  std::lock_guard lock(mu_);
  seats_ = std::move(seats);
}

void Metrics::add_checkins(const std::map<std::string, uint64_t>& by_result) {
  std::lock_guard lock(mu_);
  for (const auto& [result, n] : by_result) checkins_[result] += n;
}

double Metrics::lag_quantile(double q) const {
  std::vector<ticket::Millis> sorted;
  {
    std::lock_guard lock(mu_);
    sorted.assign(lags_.begin(), lags_.end());
  }
  if (sorted.empty()) return 0;
  std::sort(sorted.begin(), sorted.end());
  const size_t i =
      std::min(sorted.size() - 1, static_cast<size_t>(q * static_cast<double>(sorted.size())));
  return static_cast<double>(sorted[i]);
}

std::string Metrics::render() const {
  std::string out;
  counter(out, "tl_holds_expired_total",
          "Holds past their deadline that were expired and released.", holds_expired);
  counter(out, "tl_holds_released_total",
          "Holds released whose ticket had already failed or never existed.", holds_released);
  counter(out, "tl_holds_confirmed_total", "Holds found paid at their deadline and confirmed.",
          holds_confirmed);
  counter(out, "tl_sweep_expired_total", "Overdue tickets found by the MySQL sweep.",
          sweep_expired);
  out +=
      "# HELP tl_drift_found_total Seats found differing between Redis and MySQL.\n"
      "# TYPE tl_drift_found_total counter\n"
      "tl_drift_found_total{kind=\"missing\"} " +
      std::to_string(drift_missing) +
      "\n"
      "tl_drift_found_total{kind=\"leaked\"} " +
      std::to_string(drift_leaked) + "\n";
  out +=
      "# HELP tl_checkins_total Passes scanned at the gates, by result (admitted, "
      "admitted_while_revoked, already, revoked, conflict).\n"
      "# TYPE tl_checkins_total counter\n";
  {
    std::map<std::string, uint64_t> checkins;
    for (const char* result :
         {"admitted", "admitted_while_revoked", "already", "revoked", "conflict"})
      checkins[result] = 0;
    std::lock_guard lock(mu_);
    for (const auto& [result, n] : checkins_) checkins[result] += n;
    for (const auto& [result, n] : checkins)
      out += "tl_checkins_total{result=\"" + result + "\"} " + std::to_string(n) + "\n";
  }
  {
    std::lock_guard lock(mu_);
    out +=
        "# HELP tl_concert_seats Seats of each concert by zone and state, as Redis had them at "
        "the last check.\n# TYPE tl_concert_seats gauge\n";
    for (const ConcertSeats& c : seats_) {
      for (const auto& [zone, state, n] :
           {std::tuple{"buy", "free", c.buy_free}, std::tuple{"buy", "held", c.buy_held},
            std::tuple{"buy", "sold", c.buy_sold}, std::tuple{"free", "free", c.free_free},
            std::tuple{"free", "sold", c.free_granted}})
        out += std::string("tl_concert_seats{concert=\"") + c.slug + "\",zone=\"" + zone +
               "\",state=\"" + state + "\"} " + std::to_string(n) + "\n";
    }
  }
  counter(out, "tl_drift_repaired_total", "Concerts whose drift was repaired.", drift_repaired);
  counter(out, "tl_reconcile_runs_total", "Reconcile passes over every concert.", reconcile_runs);
  counter(out, "tl_pass_errors_total", "Passes that failed (server unavailable, ...).",
          pass_errors);
  gauge(out, "tl_redis_up", "1 when Redis answered the last check with the configured password.",
        redis_up ? 1 : 0);
  gauge(out, "tl_mysql_up",
        "1 when MySQL answered the last check's query as the configured account.",
        mysql_up ? 1 : 0);
  gauge(out, "tl_passes_ok", "1 when the last run of every pass succeeded.",
        failing().empty() ? 1 : 0);
  double sum;
  uint64_t count;
  {
    std::lock_guard lock(mu_);
    sum = lag_sum_s_;
    count = lag_count_;
  }
  char buf[256];
  std::snprintf(
      buf, sizeof buf,
      "# HELP tl_release_lag_seconds Time from a hold's deadline to the release of its seats.\n"
      "# TYPE tl_release_lag_seconds summary\n"
      "tl_release_lag_seconds{quantile=\"0.5\"} %g\n"
      "tl_release_lag_seconds{quantile=\"0.99\"} %g\n",
      lag_quantile(0.5) / 1000.0, lag_quantile(0.99) / 1000.0);
  out += buf;
  std::snprintf(buf, sizeof buf,
                "tl_release_lag_seconds_sum %g\ntl_release_lag_seconds_count %llu\n", sum,
                static_cast<unsigned long long>(count));
  out += buf;
  return out;
}

}  // namespace ticketlemond
