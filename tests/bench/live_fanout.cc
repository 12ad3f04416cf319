// The live feed's fan-out: C WebSocket clients (Boost.Beast, one thread)
// follow a concert on a ticketlemond child; the bench makes N seat changes
// (hold_seats, the Redis step that publishes them), 10 ms apart, and each
// change's latency is the time from just before its hold to its arrival at
// each client. Measured twice: with every client reading, then with one more
// client that never reads after its handshake, after a burst of changes
// that has filled its buffers and its queue in the daemon.
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "bench.h"
#include "ticket/reconcile.h"
#include "ticket/seat_label.h"
#include "ticket/seat_map_writes.h"

namespace tlbench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;

constexpr std::chrono::milliseconds kSpacing{10};
constexpr int kSetupSeconds = 120;
// Changes made at once before the measured ones when a client is stalled:
// more than the kernel's buffers and the daemon's queue of 1,000 hold.
constexpr int kBurst = 3000;

// One follower: its map and when each change arrived.
struct Follower {
  explicit Follower(asio::io_context& io) : ws(io) {}
  websocket::stream<tcp::socket> ws;
  beast::flat_buffer buffer;
  std::string map;
  int64_t gen = -1;
  int snapshots = 0;
  std::vector<Clock::time_point> arrivals;  // of the changes, in order
  std::vector<std::string> messages;        // as received, snapshot included
  bool failed = false;
};

struct Run {
  std::vector<double> latencies_ms;
  bool agree = true;      // every follower ends with the same map
  std::string map;        // that map
  int64_t snapshots = 0;  // received, over all followers
  int64_t missing = 0;    // changes a follower did not receive
};

// Reads on: each message kept with its time of arrival, read after the run
// (parsing here would make the later clients' messages wait).
void read_next(const std::shared_ptr<Follower>& f, std::atomic<int>& ready,
               std::atomic<int64_t>& received) {
  f->ws.async_read(f->buffer, [f, &ready, &received](beast::error_code ec, size_t) {
    if (ec) {
      f->failed = true;
      return;
    }
    const auto now = Clock::now();
    std::string text = beast::buffers_to_string(f->buffer.data());
    f->buffer.consume(f->buffer.size());
    if (text.rfind(R"({"type":"snapshot")", 0) == 0) {
      if (f->snapshots++ == 0) ++ready;
    } else {
      f->arrivals.push_back(now);
      ++received;
    }
    f->messages.push_back(std::move(text));
    read_next(f, ready, received);
  });
}

// The follower's map from the messages it received, in order.
void apply(Follower& f, const ticket::Layout& layout) {
  for (const std::string& text : f.messages) {
    const auto m = nlohmann::json::parse(text, nullptr, false);
    if (!m.is_object()) continue;
    if (m.value("type", "") == "snapshot") {
      f.map = m["buy"].get<std::string>();
      f.gen = m["gen"].get<int64_t>();
      continue;
    }
    f.gen = m["gen"].get<int64_t>();
    const std::string event = m["event"].get<std::string>();
    const char mark = event == "held" ? 'o' : (event == "sold" || event == "granted") ? 'X' : '.';
    for (const auto& label : m["seats"]) {
      auto seat = ticket::parse_seat(label.get<std::string>(), layout);
      if (seat.ok() && seat->zone == ticket::Zone::kBuy)
        f.map[static_cast<size_t>(ticket::seat_index(*seat, layout))] = mark;
    }
  }
}

Result<Run> follow_changes(Bench& b, const ticket::Concert& concert, int port, bool with_stalled,
                           int first_seat) {
  const int clients = b.options.live_clients, changes = b.options.live_changes;
  asio::io_context io;
  std::atomic<int> ready{0};
  std::atomic<int64_t> received{0};
  std::vector<std::shared_ptr<Follower>> followers;
  const std::string target = "/api/v1/concerts/" + concert.slug + "/live";
  const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
  ticket::Context ctx(b.config);
  const ticket::Millis deadline = ticket::wall_clock_ms() + 3600 * 1000;
  // The stalled client: a small receive buffer, the handshake, then nothing;
  // a burst of changes then fills its buffers and its queue in the daemon
  // before the others join.
  std::optional<websocket::stream<tcp::socket>> stalled;
  const int burst = with_stalled ? kBurst : 0;
  if (with_stalled) {
    stalled.emplace(io);
    tcp::socket& s = stalled->next_layer();
    s.open(tcp::v4());
    s.set_option(asio::socket_base::receive_buffer_size(4096));
    s.connect(at);
    stalled->handshake("127.0.0.1:" + std::to_string(port), target);
    for (int k = 0; k < burst; ++k) {
      auto held = ticket::hold_seats(ctx, concert, bench_code(92, k), deadline, {first_seat + k});
      if (!held.ok()) return held.error();
    }
  }
  for (int i = 0; i < clients; ++i) {
    auto f = std::make_shared<Follower>(io);
    f->arrivals.reserve(static_cast<size_t>(changes));
    followers.push_back(f);
    f->ws.next_layer().async_connect(
        at, [f, &ready, &received, target, port](beast::error_code ec) {
          if (ec) {
            f->failed = true;
            return;
          }
          f->ws.async_handshake("127.0.0.1:" + std::to_string(port), target,
                                [f, &ready, &received](beast::error_code e) {
                                  if (e) {
                                    f->failed = true;
                                    return;
                                  }
                                  read_next(f, ready, received);
                                });
        });
  }
  std::thread loop([&io] {
    auto guard = asio::make_work_guard(io);
    io.run();
  });
  auto stop = [&] {
    io.stop();
    loop.join();
  };
  const auto setup = Clock::now();
  while (ready < clients) {
    int failed = 0;
    for (const auto& f : followers) failed += f->failed ? 1 : 0;
    if (failed > 0 || ms_since(setup) > kSetupSeconds * 1000.0) {
      stop();
      return ticket::unavailable(std::to_string(ready.load()) + " of " + std::to_string(clients) +
                                 " followers had their snapshot (" + std::to_string(failed) +
                                 " failed)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::vector<Clock::time_point> made;
  for (int k = 0; k < changes; ++k) {
    const auto next = Clock::now() + kSpacing;
    made.push_back(Clock::now());
    auto held = ticket::hold_seats(ctx, concert, bench_code(90 + (with_stalled ? 1 : 0), k),
                                   deadline, {first_seat + burst + k});
    if (!held.ok()) {
      stop();
      return held.error();
    }
    std::this_thread::sleep_until(next);
  }
  const auto waiting = Clock::now();
  while (received < static_cast<int64_t>(clients) * changes && ms_since(waiting) < 30000)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  stop();
  Run run;
  for (const auto& f : followers) apply(*f, concert.layout);
  run.map = followers.front()->map;
  for (const auto& f : followers) {
    run.snapshots += f->snapshots;
    run.agree = run.agree && f->map == run.map;
    run.missing += changes - static_cast<int64_t>(f->arrivals.size());
    for (size_t k = 0; k < f->arrivals.size() && k < made.size(); ++k)
      run.latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(f->arrivals[k] - made[k]).count());
  }
  return run;
}

}  // namespace

Status measure_live_fanout(Bench& b) {
  ticket::Context ctx(b.config);
  const int changes = b.options.live_changes;
  TL_ASSIGN_OR_RETURN(ticket::Concert concert,
                      make_concert(b, ctx, "live", 2 * changes + kBurst, 3600, 1));
  TL_ASSIGN_OR_RETURN(DaemonChild daemon, start_daemon(b, "live"));
  auto finish = [&] {
    daemon.process->signal(SIGTERM);
    if (!daemon.process->wait_for(10000)) daemon.process->signal(SIGKILL);
  };
  auto plain = follow_changes(b, concert, daemon.port, false, 0);
  if (!plain.ok()) {
    finish();
    return plain.error();
  }
  auto stalled = follow_changes(b, concert, daemon.port, true, changes);
  // What the daemon did with the stalled client.
  const std::string metrics = ticket::testing::http_get(daemon.port, "/metrics").second;
  auto metric = [&](const std::string& name) -> int64_t {
    const auto at = metrics.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::atoll(metrics.c_str() + at + name.size() + 2);
  };
  const int64_t cut_overs = metric("tl_live_cut_overs_total");
  finish();
  std::filesystem::remove(daemon.log);
  TL_TRY(stalled);
  // The holds made without tickets are released by a repair, so that no
  // later daemon finds work of this run to do.
  TL_TRY(ticket::reconcile(ctx, concert, true));
  auto& f = b.figures;
  f["live_clients"] = b.options.live_clients;
  f["live_changes"] = changes;
  f["live_fanout_p50_ms"] = quantile(plain->latencies_ms, 0.5);
  f["live_fanout_p99_ms"] = quantile(plain->latencies_ms, 0.99);
  f["live_fanout_max_ms"] = quantile(plain->latencies_ms, 1.0);
  f["live_fanout_p99_ms_with_a_stalled_client"] = quantile(stalled->latencies_ms, 0.99);
  f["live_clients_agree"] = plain->agree && stalled->agree;
  f["live_stalled_client_cut_overs"] = cut_overs;
  f["live_changes_missing"] = plain->missing + stalled->missing;
  // What they followed: every seat held, in both runs.
  std::string expected(static_cast<size_t>(concert.layout.paid_seats()), '.');
  for (int k = 0; k < 2 * changes + kBurst; ++k) expected[static_cast<size_t>(k)] = 'o';
  f["live_map_as_held"] = stalled->map == expected;
  return {};
}

}  // namespace tlbench
