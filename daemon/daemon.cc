#include "daemon.h"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <memory>
#include <optional>
#include <thread>

#include "api.h"
#include "credentials.h"
#include "dashboard.h"
#include "desk.h"
#include "engine.h"
#include "http.h"
#include "live.h"
#include "metrics.h"
#include "ticket/webhook.h"

namespace ticketlemond {
namespace {

namespace asio = boost::asio;

// A health check older than this does not count.
constexpr ticket::Millis kHealthFreshMs = 5000;

HttpResponse serve(const std::string& target, const Metrics& metrics, const LiveHub& live) {
  if (target == "/" || target.rfind("/?", 0) == 0)
    return {200, "text/html; charset=utf-8", dashboard_page()};
  if (target == "/metrics")
    return {200, "text/plain; version=0.0.4; charset=utf-8", metrics.render() + live.metrics()};
  if (target == "/healthz") {
    const bool fresh = ticket::wall_clock_ms() - metrics.checked_at < kHealthFreshMs;
    const bool redis = fresh && metrics.redis_up, mysql = fresh && metrics.mysql_up;
    const std::string failing = metrics.failing();
    std::string body = std::string("mysql ") + (mysql ? "up" : "down") + "\nredis " +
                       (redis ? "up" : "down") + "\npasses " +
                       (failing.empty() ? "ok" : "failing: " + failing) + "\n";
    return {redis && mysql && failing.empty() ? 200u : 503u, "text/plain; charset=utf-8", body};
  }
  return {404, "text/plain; charset=utf-8",
          "not found: try /, /healthz, /metrics or /api/v1/concerts\n"};
}

// The payment providers' events, each taken on a thread of a Desk.
class PaymentDesk {
 public:
  explicit PaymentDesk(const ticket::Config& config)
      : desk_(config, kThreads, kMaxInHand,
              "{\"error\":\"too many events in hand; deliver again later\"}\n") {}

  void reload(const ticket::Config& config) { desk_.reload(config); }

  void take(PostRequest request, std::function<void(HttpResponse)> done) {
    const std::string name = request.target.substr(std::string(kPaymentsPath).size());
    desk_.take(
        [name, request = std::move(request)](ticket::Context& ctx,
                                             const ticket::Config& config) -> HttpResponse {
          const ticket::PaymentProvider* provider = nullptr;
          for (const auto& p : config.payments.providers)
            if (p.name == name) provider = &p;
          if (provider == nullptr)
            return {404, "application/json",
                    "{\"error\":\"no payment provider of that name is configured\"}\n"};
          (void)ctx.set_actor("payment provider " + provider->name);
          ticket::WebhookReply r =
              ticket::handle_payment_webhook(ctx, *provider, request.signature, request.body);
          if (r.status >= 500) spdlog::warn("payments/{}: {} {}", provider->name, r.status, r.body);
          return {r.status, "application/json", r.body + "\n"};
        },
        std::move(done));
  }

  void stop() { desk_.stop(); }

 private:
  static constexpr int kThreads = 4;
  // Events read and not yet answered: beyond this, 503 at once.
  static constexpr int kMaxInHand = 256;
  Desk desk_;
};

// The worker: the engine and its timer, on a thread of their own.
class Worker {
 public:
  Worker(ticket::Config config, Metrics& metrics)
      : engine_(std::move(config), metrics), timer_(io_) {}

  void start() {
    schedule(std::chrono::milliseconds(0));
    thread_ = std::thread([this] { io_.run(); });
  }

  // Lets the pass in hand finish, then stops.
  void stop() {
    asio::post(io_, [this] {
      stopping_ = true;
      timer_.cancel();
    });
    if (thread_.joinable()) thread_.join();
  }

  void reload(ticket::Config config) {
    asio::post(io_, [this, config = std::move(config)]() mutable {
      engine_.reload(std::move(config));
      timer_.cancel();  // run the passes now with the new settings
    });
  }

 private:
  void schedule(std::chrono::milliseconds nap) {
    timer_.expires_after(nap);
    timer_.async_wait([this](const boost::system::error_code&) {
      if (stopping_) return;
      schedule(engine_.run_due());
    });
  }

  asio::io_context io_;
  Engine engine_;
  asio::steady_timer timer_;
  std::thread thread_;
  bool stopping_ = false;
};

}  // namespace

int run_daemon(const ticket::ConfigRequest& request, ticket::Config config, Credentials credentials,
               bool verbose) {
  asio::io_context io;
  Metrics metrics;
  std::optional<HttpServer> http;
  PaymentDesk payments(config);
  // The read API's requests in hand beyond which 503 is answered at once.
  constexpr int kApiThreads = 4, kApiMaxInHand = 1024;
  Desk api(config, kApiThreads, kApiMaxInHand,
           api_error(503, "too many requests in hand; try again").body);
  const auto options = [](const ticket::Config& c, const Credentials& k) {
    return HttpOptions{k.api_token, c.daemon.max_connections,
                       ticket::split_list(c.daemon.allowed_origins)};
  };
  LiveHub live(io, config, api);
  LiveHandlers live_handlers;
  live_handlers.resolve = [&api](std::string concert, auto done) {
    const bool taken = api.run([concert, done](ticket::Context& ctx, const ticket::Config&) {
      auto found = ticket::find_concert(ctx, concert);
      if (found.ok()) return done(std::move(*found), HttpResponse{});
      const bool unknown = found.error().kind() == ticket::ErrorKind::kNotFound ||
                           found.error().kind() == ticket::ErrorKind::kInvalid;
      if (!unknown) spdlog::warn("live feed of {}: {}", concert, found.error().message());
      done(std::nullopt, unknown ? api_error(404, found.error().message())
                                 : api_error(503, "MySQL or Redis is unavailable; try again"));
    });
    if (!taken) done(std::nullopt, api_error(503, "too many requests in hand; try again"));
  };
  live_handlers.accept = [&live](asio::ip::tcp::socket socket,
                                 boost::beast::http::request<boost::beast::http::string_body> r,
                                 const ticket::Concert& c) {
    live.accept(std::move(socket), std::move(r), c);
  };
  live_handlers.open = [&live] { return live.clients(); };
  try {
    http.emplace(
        io, config.daemon.listen,
        [&metrics, &live](const std::string& target) { return serve(target, metrics, live); },
        [&payments](PostRequest post, std::function<void(HttpResponse)> done) {
          payments.take(std::move(post), std::move(done));
        },
        [&api](std::string target, std::function<void(HttpResponse)> done) {
          api.take(
              [target = std::move(target)](ticket::Context& ctx, const ticket::Config&) {
                return api_get(ctx, target);
              },
              std::move(done));
        },
        std::move(live_handlers), options(config, credentials));
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}: {}", config.daemon.listen, e.what());
    return 7;
  }
  spdlog::info(
      "ticketlemond started: listening on {} (/healthz, /metrics, /api/v1{}); MySQL {}:{}/{}, "
      "Redis {}:{} prefix {}",
      config.daemon.listen, credentials.api_token.empty() ? "" : " with its token",
      config.mysql.host, config.mysql.port, config.mysql.database, config.redis.host,
      config.redis.port, config.redis.key_prefix);

  Worker worker(config, metrics);
  worker.start();

  std::thread stopper;
  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
          auto next = ticket::load_config(request);
          auto next_credentials =
              next.ok() ? read_credentials(*next) : ticket::Result<Credentials>(next.error());
          if (!next_credentials.ok()) {
            spdlog::error("SIGHUP: configuration not reloaded: {}",
                          next_credentials.error().message());
          } else {
            auto changes = ticket::config_changes(config, *next);
            for (auto& c : credential_changes(*next, credentials, *next_credentials))
              changes.push_back(std::move(c));
            if (changes.empty())
              spdlog::info("SIGHUP: configuration reloaded, nothing changed; connecting again");
            for (const auto& c : changes) spdlog::info("SIGHUP: {}", c);
            if (next->daemon.listen != config.daemon.listen)
              spdlog::warn("SIGHUP: [daemon] listen takes effect at the next start");
            if (!verbose) spdlog::set_level(spdlog::level::from_str(next->log.level));
            config = *next;
            credentials = std::move(*next_credentials);
            worker.reload(*next);
            payments.reload(*next);
            api.reload(*next);
            live.reload(*next);
            http->set_options(options(config, credentials));
          }
          signals.async_wait(on_signal);
          return;
        }
        spdlog::info("{}: finishing the pass in hand, then stopping",
                     sig == SIGTERM ? "SIGTERM" : "SIGINT");
        http->stop();
        live.stop();
        // The events in hand are answered (their answers are written on
        // this loop); the loop then ends with its last connection.
        stopper = std::thread([&] {
          payments.stop();
          api.stop();
          asio::post(io, [&] { signals.cancel(); });
        });
      };
  signals.async_wait(on_signal);
  io.run();
  if (stopper.joinable()) stopper.join();
  payments.stop();
  api.stop();
  live.join();
  worker.stop();
  spdlog::info("ticketlemond stopped");
  return 0;
}

}  // namespace ticketlemond
