#include "http.h"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>

namespace ticketlemond {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::asio::ip::tcp;

// One connection: read a request, answer it, close.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpHandler& handler) : stream_(std::move(socket)), handler_(handler) {}

  void start() {
    stream_.expires_after(std::chrono::seconds(5));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->answer(ec); });
  }

 private:
  void answer(beast::error_code ec) {
    if (ec) return;
    HttpResponse r;
    if (request_.method() != http::verb::get && request_.method() != http::verb::head) {
      r = {405, "text/plain; charset=utf-8", "only GET\n"};
    } else {
      r = handler_(std::string(request_.target()));
    }
    response_.result(r.status);
    response_.version(request_.version());
    response_.set(http::field::server, "ticketlemond");
    response_.set(http::field::content_type, r.content_type);
    response_.keep_alive(false);
    response_.body() = request_.method() == http::verb::head ? "" : r.body;
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  const HttpHandler& handler_;
};

// "127.0.0.1:9464", "[::1]:9464" or "localhost:9464".
tcp::endpoint parse_listen(boost::asio::io_context& io, const std::string& listen) {
  const auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  const std::string port = listen.substr(colon + 1);
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (!ec) return {address, static_cast<unsigned short>(std::stoi(port))};
  tcp::resolver resolver(io);
  return *resolver.resolve(host, port).begin();
}

}  // namespace

HttpServer::HttpServer(boost::asio::io_context& io, const std::string& listen, HttpHandler handler)
    : acceptor_(io, parse_listen(io, listen)), handler_(std::move(handler)) {
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
