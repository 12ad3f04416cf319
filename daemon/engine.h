// The work of ticketlemond, one pass at a time, all on one thread: expiry at
// the earliest hold deadline, the MySQL sweep, reconcile with repair, server
// checks and the rebuild of maps that vanished. Every pass is a sequence of
// libticket calls; the engine only schedules them and counts.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "metrics.h"
#include "ticket/concerts.h"
#include "ticket/config.h"
#include "ticket/context.h"

namespace ticketlemond {

class Engine {
 public:
  Engine(ticket::Config config, Metrics& metrics);

  // Everything due now; returns how long to wait before the next call: until
  // the earliest hold deadline, at most [daemon] max_nap_ms.
  std::chrono::milliseconds run_due();

  // Takes a new configuration (SIGHUP); connections are opened again.
  void reload(ticket::Config config);

 private:
  using Clock = std::chrono::steady_clock;

  std::chrono::milliseconds expire_pass();
  void check_servers();
  void sweep_pass();
  void reconcile_pass();
  // Adds the gate's scans recorded since the last call to the metrics.
  void count_checkins_pass();
  // Logs a failed pass when it starts failing or fails otherwise, not at
  // every retry, and marks the pass failing until it next succeeds.
  void failed(const char* pass, const ticket::Error& error);
  void succeeded(const char* pass);
  // Publishes to the metrics which passes fail; logs a recovery.
  void publish_health();

  ticket::Config config_;
  std::unique_ptr<ticket::Context> ctx_;
  // More connections for expiry, whose transactions run side by side.
  std::vector<std::unique_ptr<ticket::Context>> expire_helpers_;
  std::vector<ticket::Context*> expire_helper_ptrs_;
  Metrics& metrics_;
  std::vector<ticket::Concert> concerts_;
  Clock::time_point next_check_{};
  Clock::time_point next_sweep_{};
  Clock::time_point next_reconcile_{};
  std::string last_failure_;
  std::map<std::string, std::string> failing_;  // passes whose last run failed -> what was logged
  bool servers_ok_ = false;                     // both answered the last check
  uint64_t checkins_counted_ = 0;               // audit ids counted through
  uint64_t checkins_upto_ = 0;                  // the newest audit id a check ago
};

}  // namespace ticketlemond
