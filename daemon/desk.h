// Requests answered on a small pool of threads, each with a Context (MySQL
// and Redis connections) of its own, so that slow servers never hold up the
// HTTP loop, /healthz, /metrics or expiry (docs/design.md §6).
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "http.h"
#include "ticket/config.h"
#include "ticket/context.h"

namespace ticketlemond {

class Desk {
 public:
  // `threads` threads; beyond `max_in_hand` requests taken and not yet
  // answered, 503 with `busy_body` at once.
  Desk(const ticket::Config& config, int threads, int max_in_hand, std::string busy_body);

  // The configuration of the requests taken from now on (SIGHUP); a thread
  // opens new connections when it sees a new one.
  void reload(const ticket::Config& config);

  // The answer of `work`, run on a pool thread with that thread's Context
  // and the configuration it was made with, given to `done` there.
  using Work = std::function<HttpResponse(ticket::Context&, const ticket::Config&)>;
  void take(Work work, std::function<void(HttpResponse)> done);

  // `job` on a pool thread with that thread's Context; false (and `job`
  // not run) when the desk has too many in hand.
  using Job = std::function<void(ticket::Context&, const ticket::Config&)>;
  bool run(Job job);

  // Lets the requests in hand finish.
  void stop() { pool_.join(); }

 private:
  const int max_in_hand_;
  const std::string busy_body_;
  std::atomic<int> in_hand_{0};
  std::mutex mu_;
  std::shared_ptr<const ticket::Config> config_;
  boost::asio::thread_pool pool_;
};

}  // namespace ticketlemond
