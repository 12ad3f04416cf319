// The release lag: N holds made through buy, then given one common deadline
// (in MySQL and in the Redis schedule), expired by a ticketlemond child. Each
// hold's lag is the time its "expired" event reaches a subscriber of the
// concert's events channel minus that deadline. Measured for each N of
// --expire-holds-list and for --expire-holds, each on a concert and a daemon
// of its own.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "bench.h"
#include "redis.h"
#include "support/process.h"
#include "ticket/buy.h"
#include "ticket/seat_map.h"
#include "ticket/seat_map_events.h"
#include "ticket/seat_map_views.h"

namespace tlbench {
namespace {

using ticket::Context;
using ticket::Millis;

// From aligning the deadlines to the deadline itself: the daemon (napping at
// most [daemon] max_nap_ms) sees the new schedule well before.
constexpr Millis kLeadMs = 1500;
// Holds aligned per millisecond of lead, beyond kLeadMs.
constexpr int kAlignPerMs = 20;
// Holds not released this long after the deadline are reported missing.
constexpr Millis kGiveUpMs = 60000;

// What the subscriber saw.
struct Releases {
  std::mutex mu;
  std::condition_variable changed;
  std::unordered_set<std::string> codes;       // the holds measured
  std::unordered_map<std::string, Millis> at;  // code -> when its release was seen
  int64_t duplicates = 0;                      // releases seen twice
  bool ready = false, done = false;
  std::optional<ticket::Error> failed;  // following the channel failed
  std::atomic<bool> finished{false};    // the subscriber has returned
};

bool on_event(Releases& r, const std::string& message) {
  const auto j = nlohmann::json::parse(message, nullptr, false);
  if (!j.is_object()) return true;
  const std::string event = j.value("event", "");
  if (event == "bench-stop") return false;
  if (event != ticket::seat_event::kExpired && event != ticket::seat_event::kReleased) return true;
  const std::string code = j.value("ticket", "");
  const Millis now = ticket::wall_clock_ms();
  std::lock_guard lock(r.mu);
  if (!r.codes.count(code)) return true;
  if (!r.at.emplace(code, now).second) ++r.duplicates;
  if (r.at.size() == r.codes.size()) {
    r.done = true;
    r.changed.notify_all();
  }
  return true;
}

// A metric's value from /metrics text, or -1.
double metric(const std::string& body, const std::string& name) {
  const auto at = body.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::atof(body.c_str() + at + name.size() + 2);
}

// Makes n holds through buy, C threads at once; their codes.
Result<std::vector<std::string>> make_holds(Bench& b, const ticket::Concert& concert, int n,
                                            Figures& f) {
  const int c = b.options.buyers;
  std::vector<std::unique_ptr<Context>> ctxs(static_cast<size_t>(c));
  std::vector<std::vector<std::string>> codes(static_cast<size_t>(c));
  auto prepare = [&](int t) -> Status {
    ctxs[static_cast<size_t>(t)] = std::make_unique<Context>(b.config);
    return warm(*ctxs[static_cast<size_t>(t)]);
  };
  auto work = [&](int t, Clock::time_point) -> Status {
    ticket::BuyRequest req;
    req.concert = std::to_string(concert.id);
    req.customer = {"Bench holder", "30", "Unspecified", ""};
    for (int seat = t; seat < n; seat += c) {
      req.seats = {ticket::seat_label(ticket::seat_at(ticket::Zone::kBuy, seat, concert.layout))};
      req.customer.id_number = b.run_id + "E" + std::to_string(n) + "S" + std::to_string(seat);
      TL_ASSIGN_OR_RETURN(ticket::Ticket held, ticket::buy(*ctxs[static_cast<size_t>(t)], req));
      codes[static_cast<size_t>(t)].push_back(held.code);
    }
    return {};
  };
  TL_ASSIGN_OR_RETURN(double elapsed, run_timed(c, 0, prepare, work));
  f["expiry_holds_made_per_s"] = n / elapsed;
  std::vector<std::string> all;
  for (auto& v : codes) all.insert(all.end(), v.begin(), v.end());
  return all;
}

// Gives every hold of the concert the deadline `at`: MySQL first, so that a
// hold due in Redis is always due in MySQL too.
Status align_deadlines(Context& ctx, const ticket::Concert& concert,
                       const std::vector<std::string>& codes, Millis at) {
  TL_ASSIGN_OR_RETURN(int64_t rows,
                      execute(ctx, "UPDATE TICKETS SET hold_expires_at = FROM_UNIXTIME(" +
                                       std::to_string(at) + " / 1000) WHERE concert_id = " +
                                       std::to_string(concert.id) + " AND status = 'PROCESS'"));
  if (rows != static_cast<int64_t>(codes.size()))
    return ticket::internal("aligned " + std::to_string(rows) + " deadlines in MySQL, expected " +
                            std::to_string(codes.size()));
  TL_ASSIGN_OR_RETURN(ticket::Redis * redis, ctx.redis());
  const std::string score = std::to_string(at);
  for (size_t from = 0; from < codes.size(); from += 1000) {
    std::vector<std::string> argv = {"ZADD", seat_map_keys(ctx, concert.id).holds, "XX"};
    for (size_t i = from; i < std::min(codes.size(), from + 1000); ++i) {
      argv.push_back(score);
      argv.push_back(codes[i]);
    }
    TL_TRY(redis->command(argv));
  }
  return {};
}

// The release lag of n holds expiring together: the figures of
// docs/benchmarks.md for that n.
// A follower of the concert's live feed that never reads after its
// handshake (4 KiB receive buffer): its socket, or -1.
int stalled_follower(int port, const ticket::Concert& concert) {
  const int fd = ticket::testing::connect_loopback(port);
  if (fd < 0) return -1;
  const int small = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  const std::string request = "GET /api/v1/concerts/" + concert.slug +
                              "/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                              "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  std::string head;
  char ch;
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return -1;
  }
  while (head.find("\r\n\r\n") == std::string::npos && read(fd, &ch, 1) == 1) head += ch;
  if (head.rfind("HTTP/1.1 101", 0) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// With `stalled`, a follower of the live feed that never reads is connected
// to the daemon while the holds expire.
Result<Figures> measure_one(Bench& b, int n, bool stalled = false) {
  Figures f = Figures::object();
  Context ctx(b.config);
  (void)ctx.set_actor("tl-bench");
  TL_ASSIGN_OR_RETURN(
      ticket::Concert concert,
      make_concert(b, ctx, "expiry" + std::to_string(n) + (stalled ? "-stalled" : ""), n, 600, 1));
  TL_TRY(ticket::read_seat_counts(ctx, concert));
  TL_ASSIGN_OR_RETURN(std::vector<std::string> codes, make_holds(b, concert, n, f));

  Releases seen;
  seen.codes.insert(codes.begin(), codes.end());
  std::thread subscriber([&] {
    Context sub(b.config);
    Status followed = ticket::follow_seat_events(
        sub, concert.id,
        [&] {
          std::lock_guard lock(seen.mu);
          seen.ready = true;
          seen.changed.notify_all();
        },
        [&](const std::string& m) { return on_event(seen, m); });
    std::lock_guard lock(seen.mu);
    if (!followed.ok()) seen.failed = followed.error();
    seen.ready = seen.done = true;
    seen.finished = true;
    seen.changed.notify_all();
  });
  // Stops the subscriber however this phase ends.
  struct Stop {
    Context& ctx;
    std::string channel;
    std::thread& thread;
    const std::atomic<bool>& finished;
    ~Stop() {
      while (!finished) {
        auto redis = ctx.redis();
        if (redis.ok())
          (void)(*redis)->command(
              {std::string((*redis)->publish_command()), channel, R"({"event":"bench-stop"})"});
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      thread.join();
    }
  } stop{ctx, seat_map_keys(ctx, concert.id).events, subscriber, seen.finished};
  {
    std::unique_lock lock(seen.mu);
    if (!seen.changed.wait_for(lock, std::chrono::seconds(30), [&] { return seen.ready; }))
      return ticket::unavailable("could not subscribe to the events of concert " +
                                 std::to_string(concert.id));
    if (seen.failed) return *seen.failed;
  }

  TL_ASSIGN_OR_RETURN(DaemonChild child, start_daemon(b, "release-lag"));
  ticket::testing::Background& daemon = *child.process;
  const int port = child.port;
  struct Closing {
    int fd;
    ~Closing() {
      if (fd >= 0) close(fd);
    }
  } follower{stalled ? stalled_follower(port, concert) : -1};
  if (stalled && follower.fd < 0)
    return ticket::unavailable("could not follow the live feed of concert " + concert.slug);

  // Aligning takes time of its own (a MySQL update of every hold): the lead
  // grows with n, and whatever is left of it when the daemon can see the new
  // schedule is reported.
  const Millis lead = kLeadMs + n / kAlignPerMs;
  const Millis deadline = ticket::wall_clock_ms() + lead;
  TL_TRY(align_deadlines(ctx, concert, codes, deadline));
  f["release_lag_lead_left_ms"] = deadline - ticket::wall_clock_ms();
  {
    std::unique_lock lock(seen.mu);
    seen.changed.wait_for(lock, std::chrono::milliseconds(lead + kGiveUpMs),
                          [&] { return seen.done; });
  }
  // The daemon counts a batch just after releasing it: give it a moment.
  auto [status, metrics] = ticket::testing::http_get(port, "/metrics");
  for (int i = 0;
       i < 40 && metric(metrics, "tl_holds_expired_total") < static_cast<double>(codes.size());
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::tie(status, metrics) = ticket::testing::http_get(port, "/metrics");
  }
  daemon.signal(SIGTERM);
  if (!daemon.wait_for(10000)) daemon.signal(SIGKILL);
  std::filesystem::remove(child.log);

  std::vector<double> lags;
  int64_t duplicates;
  {
    std::lock_guard lock(seen.mu);
    for (const auto& [code, at] : seen.at) lags.push_back(static_cast<double>(at - deadline));
    duplicates = seen.duplicates;
  }
  f["release_lag_p50_ms"] = quantile(lags, 0.5);
  f["release_lag_p99_ms"] = quantile(lags, 0.99);
  f["release_lag_max_ms"] = lags.empty() ? 0.0 : lags.back();
  f["release_lag_holds"] = codes.size();
  f["release_lag_released"] = lags.size();
  f["release_lag_duplicates"] = duplicates;
  if (status == 200) {
    f["daemon_release_lag_p50_ms"] =
        metric(metrics, "tl_release_lag_seconds{quantile=\"0.5\"}") * 1000;
    f["daemon_release_lag_p99_ms"] =
        metric(metrics, "tl_release_lag_seconds{quantile=\"0.99\"}") * 1000;
    f["daemon_holds_expired"] = metric(metrics, "tl_holds_expired_total");
  }
  TL_ASSIGN_OR_RETURN(int64_t still,
                      scalar(ctx, "SELECT COUNT(*) FROM TICKETS WHERE concert_id = " +
                                      std::to_string(concert.id) + " AND status = 'PROCESS'"));
  f["release_lag_unexpired_in_mysql"] = still;
  return f;
}

}  // namespace

Status measure_release_lag(Bench& b) {
  std::vector<int> sizes = b.options.expire_holds_list;
  sizes.push_back(b.options.expire_holds);
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  Figures p99 = Figures::object(), released = Figures::object(), duplicates = Figures::object();
  for (int n : sizes) {
    TL_ASSIGN_OR_RETURN(Figures one, measure_one(b, n));
    const std::string key = std::to_string(n);
    p99[key] = one["release_lag_p99_ms"];
    released[key] = one["release_lag_released"];
    duplicates[key] = one["release_lag_duplicates"];
    if (n != b.options.expire_holds) continue;
    for (const auto& [k, v] : one.items()) b.figures[k] = v;
  }
  // Again with a follower of the live feed that has stopped reading.
  TL_ASSIGN_OR_RETURN(Figures with_stalled, measure_one(b, b.options.expire_holds, true));
  b.figures["release_lag_p99_ms_with_a_stalled_live_client"] = with_stalled["release_lag_p99_ms"];
  b.figures["release_lag_released_with_a_stalled_live_client"] =
      with_stalled["release_lag_released"];
  b.figures["release_lag_p99_ms_by_holds"] = p99;
  b.figures["release_lag_released_by_holds"] = released;
  b.figures["release_lag_duplicates_by_holds"] = duplicates;
  return {};
}

}  // namespace tlbench
