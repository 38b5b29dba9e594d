// The gateway's only translation unit with Boost.Beast.
#include "ws_server.hpp"

#include <deque>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/net/accept_backoff.hpp"
#include "da/net/connection_limiter.hpp"
#include "da/net/listen_address.hpp"
#include "da/net/origin.hpp"
#include "da/net/trusted_proxies.hpp"

namespace da::services::ws_gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using WebSocket = websocket::stream<beast::tcp_stream>;

namespace {

class WsSession : public Session, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket socket, std::optional<net::ConnectionLimiter::Slot> slot)
      : ws_(std::move(socket)), slot_(std::move(slot)) {}

  WebSocket& stream() { return ws_; }

  void send(std::string text) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      if (self->closing_) return;
      // A client that stops reading is cut off instead of growing its queue forever.
      if (self->queue_.size() >= kMaxQueuedFrames) return self->drop();
      self->queue_.push_back(std::move(text));
      if (self->queue_.size() == 1) self->write_next();
    });
  }

  void ping() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      // One ping at a time (Beast's rule); a client still owing the last one is not pinged.
      if (self->closing_ || self->pinging_) return;
      self->pinging_ = true;
      self->ws_.async_ping({}, [self](beast::error_code) { self->pinging_ = false; });
    });
  }

  void close(CloseCode code) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), code] {
      if (self->closing_) return;
      self->closing_ = true;
      self->close_code_ = code;
      if (self->queue_.empty()) return self->close_now();
      // The queue drains first (an auth_error must arrive before the close), but not forever.
      self->drain_timer_.expires_after(kDrainTimeout);
      self->drain_timer_.async_wait([self](beast::error_code error) {
        if (!error && !self->queue_.empty()) self->drop();
      });
    });
  }

 private:
  void write_next() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()),
                    [self = shared_from_this()](beast::error_code error, std::size_t) {
                      self->writing_ = false;
                      self->queue_.pop_front();
                      if (error) {
                        self->queue_.clear();
                        return;
                      }
                      if (!self->queue_.empty())
                        self->write_next();
                      else if (self->closing_)
                        self->close_now();
                    });
  }

  // Closes the TCP connection at once: pending operations end with an error.
  void drop() {
    closing_ = true;
    // The frame being written stays until its write completes (with an error, after the close).
    queue_.erase(writing_ ? std::next(queue_.begin()) : queue_.begin(), queue_.end());
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close();
  }

  void close_now() {
    ws_.async_close(static_cast<websocket::close_code>(close_code_),
                    [self = shared_from_this()](beast::error_code) {});
  }

  static constexpr std::size_t kMaxQueuedFrames = 1000;
  static constexpr auto kDrainTimeout = std::chrono::seconds(5);

  WebSocket ws_;
  std::optional<net::ConnectionLimiter::Slot> slot_;  // the client address's place, if capped
  asio::steady_timer drain_timer_{ws_.get_executor()};
  std::deque<std::string> queue_;
  bool writing_ = false;  // queue_.front() is in an async_write
  bool pinging_ = false;  // an async_ping is in flight
  bool closing_ = false;
  CloseCode close_code_ = CloseCode::kGoingAway;
};

// The address a connection comes from, IPv4-mapped IPv6 written as IPv4 (one client, one key).
std::string peer_address(const tcp::socket& socket) {
  beast::error_code error;
  auto address = socket.remote_endpoint(error).address();
  if (error) return {};
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  return address.to_string();
}

}  // namespace

struct WsServer::Impl {
  WsServerOptions options;
  GatewayHub& hub;
  net::TrustedProxies proxies;
  net::ConnectionLimiter limiter;
  net::AcceptBackoff backoff{"ws-gateway"};
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
  uint16_t port = 0;

  Impl(WsServerOptions options_in, GatewayHub& hub_in)
      : options(std::move(options_in)),
        hub(hub_in),
        proxies(options.trusted_proxies, "server.trusted_proxies"),
        limiter(options.max_connections_per_address) {}

  bool origin_allowed(std::string_view origin) const {
    if (origin.empty()) return true;
    for (const std::string& allowed : options.allowed_origins)
      if (net::same_origin(origin, allowed)) return true;
    return false;
  }

  asio::awaitable<void> serve(std::shared_ptr<WsSession> session) {
    WebSocket& ws = session->stream();
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    beast::error_code error;
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(10));
    co_await http::async_read(beast::get_lowest_layer(ws), buffer, request,
                              asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return;
    if (!websocket::is_upgrade(request)) {
      http::response<http::string_body> response;
      response.version(request.version());
      response.keep_alive(false);
      if (request.target() == "/health") {
        // Counts only: who is online is nobody's business here.
        GatewayHealth health = hub.health();
        response.result(http::status::ok);
        response.set(http::field::content_type, "application/json");
        response.body() = nlohmann::json{{"status", "ok"},
                                         {"connections", health.connections},
                                         {"users", health.users.size()}}
                              .dump();
      } else {
        response.result(http::status::bad_request);
        response.body() = "expected a WebSocket upgrade";
      }
      response.prepare_payload();
      co_await http::async_write(beast::get_lowest_layer(ws), response,
                                 asio::redirect_error(asio::use_awaitable, error));
      co_return;
    }
    if (!origin_allowed(request[http::field::origin])) {
      http::response<http::string_body> response{http::status::forbidden, request.version()};
      response.body() = "this origin may not connect";
      response.prepare_payload();
      co_await http::async_write(beast::get_lowest_layer(ws), response,
                                 asio::redirect_error(asio::use_awaitable, error));
      co_return;
    }
    beast::get_lowest_layer(ws).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(10);
    timeouts.idle_timeout = websocket::stream_base::none();  // the hub pings and times out
    timeouts.keep_alive_pings = false;
    ws.set_option(timeouts);
    ws.read_message_max(options.max_message_bytes);
    // Server frames go out unmasked and whole (one frame per message), written from the
    // message itself: a small write buffer is enough, and with thousands of idle sockets every
    // byte per socket counts.
    ws.auto_fragment(false);
    ws.write_buffer_bytes(512);
    if (options.permessage_deflate) ws.set_option(deflate_options());
    // Pongs (and pings) are read along with messages: each shows the client is alive.
    ws.control_callback(
        [this, raw = session.get()](websocket::frame_type kind, beast::string_view) {
          if (kind != websocket::frame_type::close) hub.heard(raw);
        });
    co_await ws.async_accept(request, asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return;
    request = {};
    hub.opened(session);
    buffer.clear();
    buffer.shrink_to_fit();
    while (true) {
      co_await ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, error));
      if (error) break;
      if (ws.got_text())
        hub.received(session, std::string_view(static_cast<const char*>(buffer.data().data()),
                                               buffer.size()));
      else
        hub.heard(session.get());
      buffer.consume(buffer.size());
    }
    hub.closed(session.get());
  }

  // The smallest windows zlib allows: with Beast's defaults (32 KiB windows) a socket costs
  // about 80 KiB once compressing, with these about 23 KiB (8.9 KiB without compression;
  // bench/ws.sh). Short messages are not worth compressing.
  static websocket::permessage_deflate deflate_options() {
    websocket::permessage_deflate deflate;
    deflate.server_enable = true;
    deflate.server_max_window_bits = 9;
    deflate.client_max_window_bits = 9;
    deflate.memLevel = 1;
    deflate.msg_size_threshold = 256;
    return deflate;
  }

  // Whether a new connection may be served: a direct peer takes one of its address's places
  // (`slot`), a trusted proxy is not capped.
  bool admit(const tcp::socket& socket, std::optional<net::ConnectionLimiter::Slot>& slot) {
    std::string peer = peer_address(socket);
    if (peer.empty()) return false;  // gone already
    if (proxies.trusts(peer)) return true;
    auto admitted = limiter.admit(peer);
    if (!admitted) return false;
    slot.emplace(std::move(*admitted));
    return true;
  }

  asio::awaitable<void> accept_loop() {
    asio::steady_timer pause(io);
    while (acceptor.is_open()) {
      beast::error_code error;
      tcp::socket socket(asio::make_strand(io));
      co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, error));
      if (!acceptor.is_open()) co_return;
      if (error) {
        // Out of descriptors the connection stays queued and accept fails again at once.
        pause.expires_after(backoff.failed(error.message()));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
        continue;
      }
      backoff.succeeded();
      std::optional<net::ConnectionLimiter::Slot> slot;
      if (!admit(socket, slot)) continue;  // closed with the socket
      socket.set_option(tcp::no_delay(true), error);
      auto session = std::make_shared<WsSession>(std::move(socket), std::move(slot));
      asio::co_spawn(session->stream().get_executor(), serve(session), asio::detached);
    }
  }
};

WsServer::WsServer(WsServerOptions options, GatewayHub& hub)
    : impl_(std::make_unique<Impl>(std::move(options), hub)) {}

WsServer::~WsServer() {
  stop();
}

void WsServer::start() {
  net::ListenAddress where =
      net::parse_listen_address(impl_->options.listen, "notifications.ws_listen", "127.0.0.1");
  beast::error_code error;
  auto address = asio::ip::make_address(where.host, error);
  if (error)
    throw Error(ErrorKind::kConfig,
                "notifications.ws_listen: '" + where.host + "' is not an IP address");
  tcp::endpoint endpoint(address, where.port);
  impl_->acceptor.open(endpoint.protocol(), error);
  if (!error) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) impl_->acceptor.bind(endpoint, error);
  if (!error) impl_->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error)
    throw Error(ErrorKind::kInternal,
                "cannot listen on " + impl_->options.listen + ": " + error.message());
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i)
    impl_->threads.emplace_back([this] { impl_->io.run(); });
}

void WsServer::stop() {
  if (!impl_ || impl_->threads.empty()) return;
  asio::post(impl_->io, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  impl_->io.stop();
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

uint16_t WsServer::port() const {
  return impl_->port;
}

void WsServer::post(std::function<void()> task) {
  asio::post(impl_->io, std::move(task));
}

}  // namespace da::services::ws_gateway
