// The daemon's HTTP endpoint (Boost.Beast): GET /healthz and GET /metrics.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>

namespace ticketlemond {

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Answers one request target ("/healthz"); runs on the io_context thread.
using HttpHandler = std::function<HttpResponse(const std::string& target)>;

class HttpServer {
 public:
  // Binds `listen` ("127.0.0.1:9464"); throws boost::system::system_error
  // when the address cannot be bound.
  HttpServer(boost::asio::io_context& io, const std::string& listen, HttpHandler handler);
  void stop();
  unsigned short port() const;

 private:
  void accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  HttpHandler handler_;
};

}  // namespace ticketlemond
