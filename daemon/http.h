// The daemon's HTTP endpoint (Boost.Beast): GET /healthz and GET /metrics,
// POST /api/v1/payments/{name} for payment providers, and the read API
// (GET /api/v1/...) behind its bearer token.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ticket/concerts.h"

namespace ticketlemond {

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Answers one GET request target ("/healthz"); runs on the io_context thread.
using HttpHandler = std::function<HttpResponse(const std::string& target)>;

// A POST to a payments path, read whole: the target, the TL-Signature
// header and the body. The handler may answer later, from any thread, by
// calling `done` once.
struct PostRequest {
  std::string target;
  std::string signature;
  std::string body;
};
using PostHandler =
    std::function<void(PostRequest request, std::function<void(HttpResponse)> done)>;

// A GET of the read API (a target under /api/ but the payments path),
// answered later from any thread by calling `done` once.
using ApiHandler = std::function<void(std::string target, std::function<void(HttpResponse)> done)>;

// The path prefix of the providers' endpoint.
inline constexpr const char* kPaymentsPath = "/api/v1/payments/";

// The live feed: a WebSocket upgrade of GET /api/v1/concerts/{c}/live,
// authorized. `resolve` finds the concert off the loop and calls `done` (on
// any thread) with it, or with the refusal to answer; `accept` then takes
// the connection, on the loop.
struct LiveHandlers {
  std::function<void(std::string concert,
                     std::function<void(std::optional<ticket::Concert>, HttpResponse)> done)>
      resolve;
  std::function<void(boost::asio::ip::tcp::socket,
                     boost::beast::http::request<boost::beast::http::string_body>,
                     const ticket::Concert&)>
      accept;
  // Connections of the feed open now (they count to max_connections).
  std::function<int64_t()> open;
};

struct HttpOptions {
  // The read API's bearer token; empty: none is asked for.
  std::string api_token;
  // Connections open at once; beyond, 503 at once.
  int max_connections = 10000;
  // Origins besides the page's own that may open the live feed.
  std::vector<std::string> allowed_origins;
};

class HttpServer {
 public:
  // Binds `listen` ("127.0.0.1:9464"); throws boost::system::system_error
  // when the address cannot be bound.
  HttpServer(boost::asio::io_context& io, const std::string& listen, HttpHandler handler,
             PostHandler post, ApiHandler api, LiveHandlers live, HttpOptions options);
  void stop();
  unsigned short port() const;
  // For SIGHUP; on the io_context's thread.
  void set_options(HttpOptions options);

  // What the connections share, alive while one of them is.
  struct Shared;

 private:
  void accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace ticketlemond
