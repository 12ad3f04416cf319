#include "http.h"

#include <spdlog/spdlog.h>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <memory>

#include "api.h"
#include "ticket/config.h"
#include "ticket/text.h"
#include "ticket/webhook.h"

namespace ticketlemond {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::asio::ip::tcp;
using std::chrono::seconds;

// A request head larger than this is answered 431, a body larger than this
// 413: the GET endpoints take no body, a provider's event at most 64 KiB.
constexpr size_t kMaxHead = 8 * 1024;
constexpr size_t kMaxBody = 1024;
constexpr size_t kMaxPostBody = ticket::kWebhookMaxBody;
// The whole request must arrive within this time (else 408), the answer be
// written within it.
constexpr seconds kIoTimeout{5};
// After answering, what the client still sends is read and dropped for at
// most this long and this much, so that closing does not reset the
// connection before the client has read the answer.
constexpr seconds kDrainTimeout{2};
constexpr size_t kMaxDrain = 1024 * 1024;

// The status for a request that could not be read, or 0 to close without an
// answer (the client went away).
unsigned status_for(const beast::error_code& ec, bool timed_out) {
  if (timed_out) return 408;
  if (ec == http::error::header_limit) return 431;
  if (ec == http::error::body_limit) return 413;
  if (ec == http::error::end_of_stream) return 0;
  if (ec.category() == http::make_error_code(http::error::bad_method).category()) return 400;
  return 0;
}

const char* reason_text(unsigned status) {
  switch (status) {
    case 408: return "request timeout\n";
    case 413: return "request body too large\n";
    case 431: return "request header fields too large\n";
    default: return "bad request\n";
  }
}

// Whether `given` equals `token`, in a time that does not depend on where
// they differ.
bool same_token(std::string_view given, std::string_view token) {
  unsigned char diff = given.size() == token.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ token[i % std::max<size_t>(1, token.size())]);
  return diff == 0 && !token.empty();
}

}  // namespace

struct HttpServer::Shared {
  HttpHandler handler;
  PostHandler post;
  ApiHandler api;
  LiveHandlers live;
  HttpOptions options;
  int open = 0;  // requests being read or answered, on the io_context's thread
};

namespace {

// One connection: read a request, answer it, close.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Shared> shared)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), shared_(std::move(shared)) {
    ++shared_->open;
  }
  ~Session() { --shared_->open; }

  // Reads the head, then the body with the limit of the head's endpoint;
  // all of it within kIoTimeout. Beyond [daemon] max_connections, 503 at
  // once.
  void start() {
    const int64_t followers = shared_->live.open ? shared_->live.open() : 0;
    if (shared_->open + followers > shared_->options.max_connections)
      return respond({503, "text/plain; charset=utf-8", "too many connections; try again\n"});
    parser_.header_limit(kMaxHead);
    // The parser judges Content-Length against the limit as the head
    // completes: the largest limit of any endpoint here, the GET endpoints'
    // own below.
    parser_.body_limit(kMaxPostBody);
    arm(kIoTimeout);
    http::async_read_header(socket_, buffer_, parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) {
                                ++self->phase_;
                                self->timer_.cancel();
                                return self->answer(ec);
                              }
                              self->read_body();
                            });
  }

 private:
  // Cancels the socket's operations when `timeout` passes first.
  void arm(seconds timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this(), phase = ++phase_](const beast::error_code& ec) {
      if (ec || phase != self->phase_) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->socket_.cancel(ignored);
    });
  }

  bool is_post_path() const {
    const auto target = parser_.get().target();
    return std::string(target.data(), target.size()).rfind(kPaymentsPath, 0) == 0;
  }

  void read_body() {
    if (!is_post_path() || parser_.get().method() != http::verb::post) {
      const auto length = parser_.content_length();
      if (length && *length > kMaxBody) {
        ++phase_;
        timer_.cancel();
        return answer(http::error::body_limit);
      }
      parser_.body_limit(kMaxBody);
    }
    http::async_read(socket_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       ++self->phase_;
                       self->timer_.cancel();
                       self->answer(ec);
                     });
  }

  bool is_api_path() const {
    const auto target = parser_.get().target();
    return std::string_view(target.data(), target.size()).substr(0, kApiPrefix.size()) ==
           kApiPrefix;
  }

  // The request's bearer token is the API's (or none is asked for). A
  // browser cannot give a WebSocket a header: the live feed also takes it
  // as ?access_token=.
  bool authorized() const {
    const std::string& token = shared_->options.api_token;
    if (token.empty()) return true;
    const auto header = parser_.get()[http::field::authorization];
    const std::string_view value(header.data(), header.size());
    constexpr std::string_view kScheme = "bearer ";
    if (value.size() > kScheme.size() &&
        ticket::to_lower(std::string(value.substr(0, kScheme.size()))) == kScheme)
      return same_token(value.substr(kScheme.size()), token);
    if (!live_concert()) return false;
    const std::string target(parser_.get().target());
    const size_t at = target.find("?access_token=");
    if (at == std::string::npos) return false;
    const size_t start = at + 14;
    return same_token(std::string_view(target).substr(start, target.find('&', start) - start),
                      token);
  }

  // The concert of a live feed's path (/api/v1/concerts/{c}/live), if it is one.
  std::optional<std::string> live_concert() const {
    const std::string target(parser_.get().target());
    const std::string path = target.substr(0, target.find('?'));
    constexpr std::string_view kHead = "/api/v1/concerts/", kTail = "/live";
    if (path.size() <= kHead.size() + kTail.size() || path.rfind(kHead, 0) != 0 ||
        path.compare(path.size() - kTail.size(), kTail.size(), kTail) != 0)
      return std::nullopt;
    const std::string concert =
        path.substr(kHead.size(), path.size() - kHead.size() - kTail.size());
    if (concert.find('/') != std::string::npos) return std::nullopt;
    return concert;
  }

  // A browser's page may open the feed from its own origin (the Host it
  // asked) or one of [daemon] allowed_origins; a client without Origin is
  // not a page.
  bool origin_allowed() const {
    const auto& request = parser_.get();
    const auto origin = request[http::field::origin];
    if (origin.empty()) return true;
    const std::string o(origin), host(request[http::field::host]);
    if (o == "http://" + host || o == "https://" + host) return true;
    for (const std::string& allowed : shared_->options.allowed_origins)
      if (o == allowed) return true;
    return false;
  }

  // The live feed: the concert found off the loop, then the connection
  // handed to the hub.
  void upgrade(const std::string& concert) {
    auto executor = socket_.get_executor();
    shared_->live.resolve(concert, [self = shared_from_this(), executor](
                                       std::optional<ticket::Concert> found, HttpResponse refusal) {
      boost::asio::post(executor, [self, found = std::move(found), refusal = std::move(refusal)] {
        if (!found) return self->respond(refusal);
        self->shared_->live.accept(std::move(self->socket_), self->parser_.release(), *found);
      });
    });
  }

  // The API's answer, from another thread, written on this one.
  void answer_later(bool head) {
    auto executor = socket_.get_executor();
    shared_->api(std::string(parser_.get().target()),
                 [self = shared_from_this(), executor, head](HttpResponse done) {
                   boost::asio::post(executor, [self, head, done = std::move(done)] {
                     self->respond(done, head);
                   });
                 });
  }

  void answer(beast::error_code ec) {
    HttpResponse r;
    if (ec) {
      const unsigned status = status_for(ec, timed_out_);
      if (status == 0) return;
      if (parser_.is_header_done() && is_api_path() && !is_post_path())
        return respond(api_error(status, reason_text(status)));
      r = {status, "text/plain; charset=utf-8", reason_text(status)};
      return respond(r);
    }
    const auto& request = parser_.get();
    const bool head = request.method() == http::verb::head;
    if (is_api_path() && !is_post_path()) {
      if (!authorized()) {
        spdlog::warn("401 for {} {} from {}: {} bearer token", std::string(request.method_string()),
                     ticket::printable(std::string(request.target().substr(
                         0, std::min<size_t>(request.target().size(), 200)))),
                     remote(), request[http::field::authorization].empty() ? "no" : "a wrong");
        response_.set(http::field::www_authenticate, "Bearer realm=\"ticketlemond\"");
        return respond(api_error(401, "this needs the API's token: Authorization: Bearer TOKEN"));
      }
      if (request.method() != http::verb::get && !head) {
        response_.set(http::field::allow, "GET, HEAD");
        return respond(api_error(405, "only GET and HEAD"));
      }
      if (const auto concert = live_concert()) {
        if (!boost::beast::websocket::is_upgrade(request))
          return respond(api_error(400, "the live feed is a WebSocket: connect with one"));
        if (!origin_allowed()) {
          spdlog::warn("403 for the live feed of {} from {}: Origin {}",
                       ticket::printable(*concert), remote(),
                       ticket::printable(std::string(request[http::field::origin])));
          return respond(api_error(403, "this page's origin may not open the live feed"));
        }
        return upgrade(*concert);
      }
      return answer_later(head);
    }
    if (is_post_path()) {
      if (request.method() != http::verb::post) {
        response_.set(http::field::allow, "POST");
        return respond({405, "application/json", "{\"error\":\"only POST\"}\n"});
      }
      PostRequest post{std::string(request.target()), std::string(request["TL-Signature"]),
                       request.body()};
      // The answer comes from another thread; it is written on this one.
      auto executor = socket_.get_executor();
      return shared_->post(
          std::move(post), [self = shared_from_this(), executor](HttpResponse done) {
            boost::asio::post(executor, [self, done = std::move(done)] { self->respond(done); });
          });
    }
    if (request.method() != http::verb::get && !head) {
      response_.set(http::field::allow, "GET, HEAD");
      return respond({405, "text/plain; charset=utf-8", "only GET\n"});
    }
    r = shared_->handler(std::string(request.target()));
    respond(r, head);
  }

  std::string remote() const {
    beast::error_code ec;
    const auto endpoint = socket_.remote_endpoint(ec);
    return ec ? std::string("?") : endpoint.address().to_string();
  }

  void respond(const HttpResponse& r, bool head = false) {
    const unsigned version = parser_.is_header_done() ? parser_.get().version() : 11;
    timed_out_ = false;
    response_.result(r.status);
    response_.version(version);
    response_.set(http::field::server, "ticketlemond");
    response_.set(http::field::content_type, r.content_type);
    response_.keep_alive(false);
    response_.body() = head ? "" : r.body;
    response_.prepare_payload();
    arm(kIoTimeout);
    http::async_write(socket_, response_,
                      [self = shared_from_this()](beast::error_code write_ec, size_t) {
                        ++self->phase_;
                        self->timer_.cancel();
                        if (write_ec) return;
                        beast::error_code ignored;
                        self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
                        self->arm(kDrainTimeout);
                        self->drain();
                      });
  }

  // Reads until the client closes, the drain time passes or enough was read.
  void drain() {
    socket_.async_read_some(boost::asio::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kMaxDrain) {
                                self->timer_.cancel();
                                return;
                              }
                              self->drain();
                            });
  }

  tcp::socket socket_;
  boost::asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  http::response<http::string_body> response_;
  std::shared_ptr<HttpServer::Shared> shared_;
  bool timed_out_ = false;
  unsigned phase_ = 0;  // which arm() a timer belongs to
  char scratch_[4096];
  size_t drained_ = 0;
};

tcp::endpoint resolve_listen(boost::asio::io_context& io, const std::string& listen) {
  const auto address = ticket::parse_listen_address(listen);
  if (!address) throw std::invalid_argument("not a HOST:PORT address: " + listen);
  const auto port = static_cast<unsigned short>(address->port);
  if (address->literal) return {boost::asio::ip::make_address(address->host), port};
  tcp::resolver resolver(io);
  return *resolver.resolve(address->host, std::to_string(port)).begin();
}

}  // namespace

HttpServer::HttpServer(boost::asio::io_context& io, const std::string& listen, HttpHandler handler,
                       PostHandler post, ApiHandler api, LiveHandlers live, HttpOptions options)
    : acceptor_(io, resolve_listen(io, listen)),
      shared_(std::make_shared<Shared>(Shared{std::move(handler), std::move(post), std::move(api),
                                              std::move(live), std::move(options)})) {
  accept();
}

void HttpServer::set_options(HttpOptions options) { shared_->options = std::move(options); }

void HttpServer::accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!ec) std::make_shared<Session>(std::move(socket), shared_)->start();
    accept();
  });
}

void HttpServer::stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

unsigned short HttpServer::port() const { return acceptor_.local_endpoint().port(); }

}  // namespace ticketlemond
