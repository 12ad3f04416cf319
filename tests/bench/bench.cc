#include "bench.h"

#include <algorithm>
#include <barrier>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "db.h"
#include "ticket/text.h"

namespace tlbench {

double Bench::short_phase_s() const { return std::clamp(options.duration_s / 2, 1.0, 5.0); }

Result<ticket::Concert> make_concert(Bench& bench, ticket::Context& ctx, const std::string& what,
                                     int seats, int hold_seconds, int max_seats_per_ticket) {
  ticket::Concert c;
  c.slug = "bench-" + what + "-" + ticket::to_lower(bench.run_id);
  c.name = "tl-bench " + what;
  c.venue = "tl-bench";
  c.layout.seats_per_row = std::min(seats, 100);
  c.layout.rows = (seats + c.layout.seats_per_row - 1) / c.layout.seats_per_row;
  c.price = 1000;
  c.currency = "EUR";
  c.hold_seconds = hold_seconds;
  c.max_seats_per_ticket = max_seats_per_ticket;
  TL_ASSIGN_OR_RETURN(ticket::Concert made, ticket::create_concert(ctx, c));
  bench.concerts.push_back(made);
  return made;
}

Result<double> run_timed(int threads, double seconds, const std::function<Status(int)>& prepare,
                         const std::function<Status(int, Clock::time_point)>& work) {
  std::mutex mu;
  std::optional<ticket::Error> first_error;
  auto keep = [&](const Status& s) {
    if (s.ok()) return;
    std::lock_guard lock(mu);
    if (!first_error) first_error = s.error();
  };
  Clock::time_point start, deadline;
  std::barrier ready(threads, [&]() noexcept {
    start = Clock::now();
    deadline = seconds > 0 ? start + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(seconds))
                           : Clock::time_point::max();
  });
  std::vector<Clock::time_point> ended(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      Status prepared = prepare(t);
      keep(prepared);
      ready.arrive_and_wait();
      bool failed;
      {
        std::lock_guard lock(mu);
        failed = first_error.has_value();
      }
      if (prepared.ok() && !failed) keep(work(t, deadline));
      ended[static_cast<size_t>(t)] = Clock::now();
    });
  }
  for (auto& th : pool) th.join();
  if (first_error) return *first_error;
  const auto last = *std::max_element(ended.begin(), ended.end());
  return std::chrono::duration<double>(last - start).count();
}

Status warm(ticket::Context& ctx) {
  TL_TRY(ctx.db());
  TL_TRY(ctx.redis());
  TL_TRY(ctx.secret());
  return {};
}

double quantile(std::vector<double>& samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const size_t i =
      std::min(samples.size() - 1, static_cast<size_t>(q * static_cast<double>(samples.size())));
  return samples[i];
}

double ms_since(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

std::string bench_code(int thread, int64_t n) {
  static const char* kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  uint64_t v = (static_cast<uint64_t>(thread) << 32) | static_cast<uint64_t>(n & 0xffffffff);
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kAlphabet[v & 31];
    v >>= 5;
  }
  return "TB-" + out;
}

std::string random_token(size_t n) {
  static const char* kAlphabet = "ABCDEFGHJKMNPQRSTVWXYZ0123456789";
  std::random_device rd;
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kAlphabet[rd() % 32];
  return out;
}

Result<int64_t> scalar(ticket::Context& ctx, const std::string& sql) {
  TL_ASSIGN_OR_RETURN(ticket::Db * db, ctx.db());
  return db->transaction<int64_t>([&]() -> Result<int64_t> {
    ticket::ResultSetPtr rs = db->query(db->prepare(sql));
    if (!rs->next() || rs->isNull(1)) return int64_t{0};
    return static_cast<int64_t>(rs->getInt64(1));
  });
}

Result<int64_t> execute(ticket::Context& ctx, const std::string& sql) {
  TL_ASSIGN_OR_RETURN(ticket::Db * db, ctx.db());
  return db->transaction<int64_t>(
      [&]() -> Result<int64_t> { return static_cast<int64_t>(db->prepare(sql).executeUpdate()); });
}

std::string last_line(const std::string& log) {
  std::string s = log;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  const auto nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

Result<DaemonChild> start_daemon(Bench& b, const std::string& what) {
  DaemonChild child;
  child.port = ticket::testing::free_port();
  std::map<std::string, std::string> env;
  for (const auto& [k, v] : ticket::process_environment()) {
    if (k.rfind("TL_", 0) == 0) env[k] = v;
  }
  if (!b.config.source.empty()) env["TL_CONFIG"] = b.config.source;
  env["TL_DAEMON_LISTEN"] = "127.0.0.1:" + std::to_string(child.port);
  env["TL_DAEMON_RECONCILE_INTERVAL_S"] = "0";
  child.log = (std::filesystem::temp_directory_path() /
               ("tl-bench-daemon-" + what + "-" + b.run_id + ".log"))
                  .string();
  child.process = std::make_unique<ticket::testing::Background>(
      std::vector<std::string>{b.options.daemon_path}, env, child.log);
  const auto started = Clock::now();
  while (ticket::testing::http_get(child.port, "/healthz").first != 200) {
    if (auto code = child.process->wait_for(50))
      return ticket::internal("ticketlemond exited with " + std::to_string(*code) + ": " +
                              last_line(child.process->log()));
    if (ms_since(started) > 30000)
      return ticket::unavailable("ticketlemond did not report healthy within 30 s: " +
                                 last_line(child.process->log()));
  }
  return child;
}

}  // namespace tlbench
