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
  auto answer = std::make_shared<std::function<void(HttpResponse)>>(std::move(done));
  const bool taken =
      run([work = std::move(work), answer](ticket::Context& ctx, const ticket::Config& config) {
        (*answer)(work(ctx, config));
      });
  if (!taken) (*answer)({503, "application/json", busy_body_});
}

bool Desk::run(Job job) {
  std::shared_ptr<const ticket::Config> config;
  {
    std::lock_guard lock(mu_);
    config = config_;
  }
  if (in_hand_ >= max_in_hand_) return false;
  ++in_hand_;
  boost::asio::post(pool_, [this, config, job = std::move(job)] {
    // One Context per thread, made again for a new configuration.
    thread_local std::shared_ptr<const ticket::Config> made_for;
    thread_local std::unique_ptr<ticket::Context> ctx;
    if (made_for != config) {
      ctx = std::make_unique<ticket::Context>(*config);
      made_for = config;
    }
    job(*ctx, *config);
    --in_hand_;
  });
  return true;
}

}  // namespace ticketlemond
