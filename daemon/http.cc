#include "http.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>

#include "ticket/config.h"

namespace ticketlemond {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::asio::ip::tcp;
using std::chrono::seconds;

// A request head larger than this is answered 431, a body larger than this
// 413: the endpoints take no body.
constexpr size_t kMaxHead = 8 * 1024;
constexpr size_t kMaxBody = 1024;
// The whole request must arrive within this time (else 408), the answer be
// written within it.
constexpr seconds kIoTimeout{5};
// After answering, what the client still sends is read and dropped for at
// most this long and this much, so that closing does not reset the
// connection before the client has read the answer.
constexpr seconds kDrainTimeout{2};
constexpr size_t kMaxDrain = 64 * 1024;

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
    case 413: return "request body too large: the endpoints take no body\n";
    case 431: return "request header fields too large\n";
    default: return "bad request\n";
  }
}

// One connection: read a request, answer it, close.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpHandler& handler)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), handler_(handler) {}

  void start() {
    parser_.header_limit(kMaxHead);
    parser_.body_limit(kMaxBody);
    arm(kIoTimeout);
    http::async_read(socket_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       ++self->phase_;
                       self->timer_.cancel();
                       self->answer(ec);
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

  void answer(beast::error_code ec) {
    HttpResponse r;
    unsigned version = 11;
    bool head = false;
    if (ec) {
      const unsigned status = status_for(ec, timed_out_);
      if (status == 0) return;
      r = {status, "text/plain; charset=utf-8", reason_text(status)};
    } else {
      const auto& request = parser_.get();
      version = request.version();
      head = request.method() == http::verb::head;
      if (request.method() != http::verb::get && !head) {
        r = {405, "text/plain; charset=utf-8", "only GET\n"};
        response_.set(http::field::allow, "GET, HEAD");
      } else {
        r = handler_(std::string(request.target()));
      }
    }
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
  const HttpHandler& handler_;
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

HttpServer::HttpServer(boost::asio::io_context& io, const std::string& listen, HttpHandler handler)
    : acceptor_(io, resolve_listen(io, listen)), handler_(std::move(handler)) {
  accept();
}

void HttpServer::accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!ec) std::make_shared<Session>(std::move(socket), handler_)->start();
    accept();
  });
}

void HttpServer::stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

unsigned short HttpServer::port() const { return acceptor_.local_endpoint().port(); }

}  // namespace ticketlemond
