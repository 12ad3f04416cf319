#include "live.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdlib>
#include <deque>
#include <nlohmann/json.hpp>

#include "api.h"
#include "common/seat_event.h"
#include "ticket/seat_label.h"
#include "ticket/seat_map.h"
#include "ticket/seat_map_events.h"

namespace ticketlemond {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::asio::ip::tcp;

namespace {

using Text = std::shared_ptr<const std::string>;

// A write not done within this time means the client stopped reading: it
// is closed.
constexpr std::chrono::seconds kWriteTimeout{10};
// The kernel's send buffer of a client's socket: what a client that stopped
// reading can hold in the kernel before its queue here grows.
constexpr int kSendBuffer = 64 * 1024;
// What a client may send (it has nothing to say but control frames).
constexpr size_t kMaxClientMessage = 1024;
// Changes kept for the clients whose snapshot is being read.
constexpr size_t kRing = 2 * kLiveMaxBehind;
// A snapshot that could not be read is tried again after this long.
constexpr std::chrono::milliseconds kSnapshotRetry{500};

// The generation a snapshot's text starts with ({"type":"snapshot","gen":N,...).
int64_t snapshot_gen(const std::string& text) {
  constexpr std::string_view kHead = R"({"type":"snapshot","gen":)";
  if (text.compare(0, kHead.size(), kHead) != 0) return -1;
  return std::strtoll(text.c_str() + kHead.size(), nullptr, 10);
}

}  // namespace

// One WebSocket client of one concert, on the loop.
class LiveHub::Client : public std::enable_shared_from_this<Client> {
 public:
  Client(LiveHub& hub, tcp::socket socket)
      : hub_(hub), ws_(std::move(socket)), write_timer_(ws_.get_executor()) {
    ++hub_.clients_;
  }
  ~Client() { --hub_.clients_; }

  void start(beast::http::request<beast::http::string_body> request, std::shared_ptr<Feed> feed);

  // Queues a change of generation `gen`; skipped when the client's snapshot
  // holds it already, or while it waits for one.
  void change(int64_t gen, const Text& text);

  // Sends `snapshot` (of generation `gen`) in place of whatever is queued.
  void snapshot(int64_t gen, const Text& text);

  // Waits for a snapshot requested at or after the feed's resync `epoch`
  // (0: any, the changes after it being at hand).
  bool waiting() const { return waiting_; }
  int64_t needs() const { return needs_; }
  void wait(int64_t epoch = 0) {
    waiting_ = true;
    queue_.clear();
    needs_ = std::max(needs_, epoch);
  }
  int64_t since() const { return since_; }
  void close();

 private:
  void read();
  void write_next();

  LiveHub& hub_;
  websocket::stream<tcp::socket> ws_;
  beast::http::request<beast::http::string_body> request_;  // until the handshake is done
  asio::steady_timer write_timer_;
  beast::flat_buffer read_buffer_;
  std::deque<Text> queue_;
  std::weak_ptr<Feed> feed_;
  bool open_ = false, writing_ = false, closed_ = false;
  bool waiting_ = true;  // for a snapshot
  bool snapshot_after_write_ = false;
  int64_t needs_ = 0;
  int64_t since_ = -1;  // the generation of what it has been sent
};

// The clients of one concert and its subscription, on the loop; the
// subscription's thread only posts what it receives.
class LiveHub::Feed : public std::enable_shared_from_this<Feed> {
 public:
  Feed(LiveHub& hub, ticket::Concert concert)
      : hub_(hub), concert_(std::move(concert)), retry_(hub.io_) {}

  void subscribe(std::shared_ptr<const ticket::Config> config);
  void add(const std::shared_ptr<Client>& client);
  void remove(const Client* client);
  // Every client waits for a new snapshot (a gap, a rebuilt map).
  void resync();
  void request_snapshot();
  void stop();
  const ticket::Concert& concert() const { return concert_; }

 private:
  void on_message(const std::string& message);
  void on_snapshot(int status, const std::string& text, int64_t epoch);

  LiveHub& hub_;
  const ticket::Concert concert_;
  std::vector<std::shared_ptr<Client>> clients_;
  std::optional<int64_t> last_gen_;
  std::deque<std::pair<int64_t, Text>> ring_;
  bool snapshot_in_flight_ = false, snapshot_again_ = false, stopped_ = false;
  // Counts the resyncs: a snapshot requested before one does not serve the
  // clients it made wait (the map may have changed whole since).
  int64_t epoch_ = 0;
  asio::steady_timer retry_;
  std::shared_ptr<std::atomic<bool>> stopping_ = std::make_shared<std::atomic<bool>>(false);
  std::thread subscriber_;
  bool warned_ = false;
};

void LiveHub::Client::start(beast::http::request<beast::http::string_body> request,
                            std::shared_ptr<Feed> feed) {
  feed_ = feed;
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& r) { r.set(beast::http::field::server, "ticketlemond"); }));
  ws_.read_message_max(kMaxClientMessage);
  request_ = std::move(request);
  ws_.async_accept(request_, [self = shared_from_this()](beast::error_code ec) {
    if (ec) return self->close();
    auto f = self->feed_.lock();
    if (!f || self->hub_.stopped_) return self->close();
    self->open_ = true;
    f->add(self);
    self->read();
  });
}

void LiveHub::Client::read() {
  ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) return self->close();
    self->read_buffer_.consume(self->read_buffer_.size());
    self->read();
  });
}

void LiveHub::Client::change(int64_t gen, const Text& text) {
  if (closed_ || waiting_ || gen <= since_) return;
  since_ = gen;
  if (queue_.size() >= kLiveMaxBehind) {
    // Too far behind: a snapshot instead of the backlog; read once its
    // write in progress is done, so that a client that stopped reading
    // costs one snapshot however long it stays stopped.
    wait();
    ++hub_.cut_overs_;
    if (!writing_) {
      if (auto f = feed_.lock()) f->request_snapshot();
    } else {
      snapshot_after_write_ = true;
    }
    return;
  }
  queue_.push_back(text);
  write_next();
}

void LiveHub::Client::snapshot(int64_t gen, const Text& text) {
  if (closed_) return;
  queue_.clear();
  queue_.push_back(text);
  since_ = gen;
  waiting_ = false;
  ++hub_.snapshots_;
  write_next();
}

void LiveHub::Client::write_next() {
  if (writing_ || queue_.empty() || !open_ || closed_) return;
  writing_ = true;
  Text text = queue_.front();
  queue_.pop_front();
  write_timer_.expires_after(kWriteTimeout);
  write_timer_.async_wait([self = shared_from_this()](const beast::error_code& ec) {
    if (ec) return;
    spdlog::info("live: a client of {} stopped reading for {} s: closed",
                 self->feed_.lock() ? self->feed_.lock()->concert().slug : std::string("?"),
                 kWriteTimeout.count());
    ++self->hub_.closed_slow_;
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).close(ignored);
  });
  ws_.text(true);
  ws_.async_write(asio::buffer(*text),
                  [self = shared_from_this(), text](beast::error_code ec, size_t) {
                    self->writing_ = false;
                    self->write_timer_.cancel();
                    if (ec) return self->close();
                    if (self->snapshot_after_write_) {
                      self->snapshot_after_write_ = false;
                      if (auto f = self->feed_.lock(); f && self->waiting_) f->request_snapshot();
                    }
                    self->write_next();
                  });
}

void LiveHub::Client::close() {
  if (closed_) return;
  closed_ = true;
  queue_.clear();
  write_timer_.cancel();
  if (auto f = feed_.lock()) f->remove(this);
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).close(ignored);
}

void LiveHub::Feed::subscribe(std::shared_ptr<const ticket::Config> config) {
  const uint64_t id = concert_.id;
  std::weak_ptr<Feed> weak = shared_from_this();
  asio::io_context& io = hub_.io_;
  subscriber_ = std::thread([config, id, weak, &io, stopping = stopping_] {
    ticket::Context ctx(*config);
    bool first = true;
    const ticket::Status s = ticket::follow_seat_events(
        ctx, id,
        [&] {
          // Subscribed again: what was published meanwhile is lost.
          if (!first)
            asio::post(io, [weak] {
              if (auto f = weak.lock()) f->resync();
            });
          first = false;
        },
        [&](const std::string& message) {
          asio::post(io, [weak, message] {
            if (auto f = weak.lock()) f->on_message(message);
          });
          return !*stopping;
        },
        [&] { return stopping->load(); });
    if (!s.ok() && !*stopping)
      spdlog::error("live: the events of concert {} cannot be followed: {}", id,
                    s.error().message());
  });
}

void LiveHub::Feed::add(const std::shared_ptr<Client>& client) {
  clients_.push_back(client);
  request_snapshot();
}

void LiveHub::Feed::remove(const Client* client) {
  std::erase_if(clients_, [&](const auto& c) { return c.get() == client; });
  if (clients_.empty() && !stopped_) {
    stop();
    hub_.feeds_.erase(concert_.id);
  }
}

void LiveHub::Feed::stop() {
  if (stopped_) return;
  stopped_ = true;
  *stopping_ = true;
  retry_.cancel();
  for (const auto& c : std::vector<std::shared_ptr<Client>>(clients_)) c->close();
  clients_.clear();
  if (subscriber_.joinable()) hub_.retire(concert_.id, std::move(subscriber_));
}

void LiveHub::Feed::resync() {
  last_gen_.reset();
  ring_.clear();
  ++epoch_;
  for (const auto& c : clients_) c->wait(epoch_);
  request_snapshot();
}

void LiveHub::Feed::request_snapshot() {
  if (stopped_) return;
  if (snapshot_in_flight_) {
    snapshot_again_ = true;
    return;
  }
  snapshot_in_flight_ = true;
  std::weak_ptr<Feed> weak = shared_from_this();
  asio::io_context& io = hub_.io_;
  const ticket::Concert concert = concert_;
  const int64_t epoch = epoch_;
  const bool taken =
      hub_.desk_.run([weak, &io, concert, epoch](ticket::Context& ctx, const ticket::Config&) {
        auto text = seats_text(ctx, concert, true);
        const int status = text.ok() ? 200 : 503;
        std::string body = text.ok() ? std::move(*text) : text.error().message();
        asio::post(io, [weak, status, body = std::move(body), epoch] {
          if (auto f = weak.lock()) f->on_snapshot(status, body, epoch);
        });
      });
  if (!taken) {
    asio::post(io, [weak, epoch] {
      if (auto f = weak.lock()) f->on_snapshot(503, "too many requests in hand", epoch);
    });
  }
}

void LiveHub::Feed::on_snapshot(int status, const std::string& text, int64_t epoch) {
  snapshot_in_flight_ = false;
  if (stopped_) return;
  const int64_t gen = status == 200 ? snapshot_gen(text) : -1;
  if (gen < 0) {
    spdlog::warn("live: no snapshot of {}: {}; trying again", concert_.slug, text);
    retry_.expires_after(kSnapshotRetry);
    retry_.async_wait([weak = weak_from_this()](const beast::error_code& ec) {
      if (auto f = weak.lock(); f && !ec) f->request_snapshot();
    });
    return;
  }
  // The changes after the snapshot must all be at hand, else another one.
  const bool covered = ring_.empty() || ring_.front().first <= gen + 1;
  if (covered) {
    const auto shared = std::make_shared<const std::string>(text);
    for (const auto& c : std::vector<std::shared_ptr<Client>>(clients_)) {
      if (!c->waiting()) continue;
      if (c->needs() > epoch) {
        snapshot_again_ = true;  // made to wait by a resync after this was asked for
        continue;
      }
      c->snapshot(gen, shared);
      for (const auto& [g, change] : ring_) c->change(g, change);
    }
    if (epoch == epoch_ && (!last_gen_ || *last_gen_ < gen)) last_gen_ = gen;
  } else {
    snapshot_again_ = true;
  }
  if (snapshot_again_) {
    snapshot_again_ = false;
    request_snapshot();
  }
}

void LiveHub::Feed::on_message(const std::string& message) {
  if (stopped_) return;
  auto event = ticket::cli::parse_seat_event(message, concert_.layout);
  const nlohmann::json* gen_field =
      event.ok() && event->json.contains("gen") ? &event->json["gen"] : nullptr;
  if (!event.ok() || !gen_field || !gen_field->is_number_integer()) {
    if (!warned_)
      spdlog::warn("live: an event of {} that is not one was skipped: {}", concert_.slug,
                   event.ok() ? std::string("no generation") : event.error().message());
    warned_ = true;
    return;
  }
  const int64_t gen = gen_field->get<int64_t>();
  if (event->name == ticket::seat_event::kRebuilt || event->name == ticket::seat_event::kRepaired) {
    return resync();
  }
  if (last_gen_ && gen <= *last_gen_) return;  // in the snapshot already
  if (last_gen_ && gen != *last_gen_ + 1) {
    spdlog::info("live: {} went from generation {} to {}: every client gets a snapshot",
                 concert_.slug, *last_gen_, gen);
    return resync();
  }
  last_gen_ = gen;
  nlohmann::ordered_json seats = nlohmann::ordered_json::array();
  for (int index : event->seats)
    seats.push_back(ticket::seat_label(ticket::seat_at(event->zone, index, concert_.layout)));
  const nlohmann::ordered_json change = {
      {"type", "change"}, {"gen", gen}, {"event", event->name}, {"seats", seats}};
  const auto text = std::make_shared<const std::string>(change.dump());
  ring_.emplace_back(gen, text);
  if (ring_.size() > kRing) ring_.pop_front();
  for (const auto& c : std::vector<std::shared_ptr<Client>>(clients_)) c->change(gen, text);
}

LiveHub::LiveHub(asio::io_context& io, const ticket::Config& config, Desk& desk)
    : io_(io), desk_(desk), config_(std::make_shared<const ticket::Config>(config)) {}

LiveHub::~LiveHub() { join(); }

void LiveHub::reload(const ticket::Config& config) {
  std::lock_guard lock(config_mu_);
  config_ = std::make_shared<const ticket::Config>(config);
}

std::shared_ptr<LiveHub::Feed> LiveHub::feed_of(const ticket::Concert& concert) {
  auto& feed = feeds_[concert.id];
  if (!feed) {
    feed = std::make_shared<Feed>(*this, concert);
    std::shared_ptr<const ticket::Config> config;
    {
      std::lock_guard lock(config_mu_);
      config = config_;
    }
    feed->subscribe(config);
  }
  return feed;
}

void LiveHub::accept(tcp::socket socket, beast::http::request<beast::http::string_body> request,
                     const ticket::Concert& concert) {
  if (stopped_) return;
  boost::system::error_code ignored;
  socket.set_option(asio::socket_base::send_buffer_size(kSendBuffer), ignored);
  auto client = std::make_shared<Client>(*this, std::move(socket));
  client->start(std::move(request), feed_of(concert));
}

std::string LiveHub::metrics() const {
  return "# HELP tl_live_clients WebSocket clients following a concert's live feed now.\n"
         "# TYPE tl_live_clients gauge\ntl_live_clients " +
         std::to_string(clients_.load()) +
         "\n# HELP tl_live_snapshots_total Snapshots sent to live-feed clients (one at the start, "
         "one after a gap or when a client fell behind).\n"
         "# TYPE tl_live_snapshots_total counter\ntl_live_snapshots_total " +
         std::to_string(snapshots_.load()) +
         "\n# HELP tl_live_cut_overs_total Times a live-feed client 1,000 changes behind had its "
         "backlog dropped for a snapshot.\n# TYPE tl_live_cut_overs_total counter\n"
         "tl_live_cut_overs_total " +
         std::to_string(cut_overs_.load()) +
         "\n# HELP tl_live_closed_slow_total Live-feed clients closed because they stopped "
         "reading.\n# TYPE tl_live_closed_slow_total counter\ntl_live_closed_slow_total " +
         std::to_string(closed_slow_.load()) + "\n";
}

void LiveHub::retire(uint64_t, std::thread subscriber) {
  std::lock_guard lock(retired_mu_);
  retired_.push_back(std::move(subscriber));
}

void LiveHub::stop() {
  stopped_ = true;
  auto feeds = std::move(feeds_);
  feeds_.clear();
  for (auto& [id, feed] : feeds) feed->stop();
}

void LiveHub::join() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(retired_mu_);
    threads = std::move(retired_);
    retired_.clear();
  }
  for (auto& t : threads)
    if (t.joinable()) t.join();
}

}  // namespace ticketlemond
