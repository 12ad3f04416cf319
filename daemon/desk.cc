#include "desk.h"

#include <boost/asio/post.hpp>

namespace ticketlemond {

Desk::Desk(const ticket::Config& config, int threads, int max_in_hand, std::string busy_body)
    : max_in_hand_(max_in_hand),
      busy_body_(std::move(busy_body)),
      config_(std::make_shared<const ticket::Config>(config)),
      pool_(static_cast<size_t>(threads)) {}

void Desk::reload(const ticket::Config& config) {
  std::lock_guard lock(mu_);
  config_ = std::make_shared<const ticket::Config>(config);
}

void Desk::take(Work work, std::function<void(HttpResponse)> done) {
  std::shared_ptr<const ticket::Config> config;
  {
    std::lock_guard lock(mu_);
    config = config_;
  }
  if (in_hand_ >= max_in_hand_) return done({503, "application/json", busy_body_});
  ++in_hand_;
  boost::asio::post(pool_, [this, config, work = std::move(work), done = std::move(done)] {
    // One Context per thread, made again for a new configuration.
    thread_local std::shared_ptr<const ticket::Config> made_for;
    thread_local std::unique_ptr<ticket::Context> ctx;
    if (made_for != config) {
      ctx = std::make_unique<ticket::Context>(*config);
      made_for = config;
    }
    HttpResponse r = work(*ctx, *config);
    --in_hand_;
    done(std::move(r));
  });
}

}  // namespace ticketlemond
