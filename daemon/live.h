// The live seat feed (WebSocket GET /api/v1/concerts/{c}/live,
// docs/design.md §13.1): a snapshot of the concert's seats, then every
// change in order. One Redis subscription per concert feeds all of its
// clients; the clients live on the HTTP loop, each with a queue of its own,
// so that a slow one delays nobody else, nor expiry or reconcile.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "desk.h"
#include "ticket/concerts.h"
#include "ticket/config.h"

namespace ticketlemond {

// A client this many changes behind gets a snapshot instead of them.
inline constexpr size_t kLiveMaxBehind = 1000;

class LiveHub {
 public:
  // `io`: the HTTP loop, where every client and feed lives. `desk`: where
  // snapshots are read, off the loop.
  LiveHub(boost::asio::io_context& io, const ticket::Config& config, Desk& desk);
  ~LiveHub();
  LiveHub(const LiveHub&) = delete;
  LiveHub& operator=(const LiveHub&) = delete;

  // Completes the WebSocket handshake of `request` (an authorized upgrade
  // to the feed of `concert`) and follows the concert for that client. On
  // the loop.
  void accept(boost::asio::ip::tcp::socket socket,
              boost::beast::http::request<boost::beast::http::string_body> request,
              const ticket::Concert& concert);

  // The configuration of the subscriptions made from now on (SIGHUP).
  void reload(const ticket::Config& config);

  // Closes every client and ends every subscription. On the loop.
  void stop();

  // Joins the subscriptions' threads; after the loop has ended.
  void join();

  // Clients following a concert now, snapshots sent, clients closed because
  // they stopped reading (for /metrics).
  int64_t clients() const { return clients_; }
  int64_t snapshots() const { return snapshots_; }
  int64_t closed_slow() const { return closed_slow_; }
  // The lines of /metrics about the feed.
  std::string metrics() const;

  class Feed;
  class Client;

 private:
  friend class Feed;
  friend class Client;
  std::shared_ptr<Feed> feed_of(const ticket::Concert& concert);
  void retire(uint64_t concert_id, std::thread subscriber);

  boost::asio::io_context& io_;
  Desk& desk_;
  std::mutex config_mu_;
  std::shared_ptr<const ticket::Config> config_;
  std::map<uint64_t, std::shared_ptr<Feed>> feeds_;  // on the loop
  std::mutex retired_mu_;
  std::vector<std::thread> retired_;  // subscriptions ended, to join
  std::atomic<int64_t> clients_{0};
  std::atomic<int64_t> snapshots_{0};
  std::atomic<int64_t> closed_slow_{0};
  std::atomic<int64_t> cut_overs_{0};
  bool stopped_ = false;
};

}  // namespace ticketlemond
