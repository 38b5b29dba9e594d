// The only translation unit that includes Boost.Beast (about 40 s to compile on 2 cores).
#include "da/web/http_server.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <sys/stat.h>

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/net/accept_backoff.hpp"
#include "da/net/connection_limiter.hpp"
#include "da/net/listen_address.hpp"

namespace da::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using unix_socket = asio::local::stream_protocol;
using TcpStream = beast::tcp_stream;
using UnixStream =
    beast::basic_stream<unix_socket, asio::any_io_executor, beast::unlimited_rate_policy>;

namespace {

std::string http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buffer;
    cached_second = now;
  }
  return cached;
}

Request to_request(const http::request<http::string_body>& message, std::string remote,
                   const net::TrustedProxies& proxies) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  std::string_view target = request.target;
  auto question = target.find('?');
  request.path = percent_decode(target.substr(0, question), false);
  if (question != std::string_view::npos)
    request.query = parse_query_string(target.substr(question + 1));
  request.headers.reserve(16);
  for (const auto& field : message)
    request.headers.emplace_back(to_lower(field.name_string()), std::string(field.value()));
  request.body = message.body();
  request.remote_address = std::move(remote);
  std::string forwarded_for;
  for (const auto& [name, value] : request.headers)
    if (name == "x-forwarded-for") forwarded_for += (forwarded_for.empty() ? "" : ",") + value;
  request.client_address =
      proxies.client_address(request.remote_address, forwarded_for, request.header("x-real-ip"));
  return request;
}

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  RequestHandler handler;
  LaneClassifier lanes;
  // What connections' coroutines still hold when io destroys them at the end: declared before
  // io, destroyed after it.
  std::atomic<int> blocking_waiting{0};
  net::ConnectionLimiter connection_limiter;
  asio::io_context io;
  // Destroyed before io: a handler still running on a pool holds a coroutine of io's.
  asio::thread_pool workers;
  asio::thread_pool blocking_workers;
  std::optional<tcp::acceptor> tcp_acceptor;
  std::optional<unix_socket::acceptor> unix_acceptor;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<bool> started{false};
  uint16_t bound_port = 0;

  // Connections waiting for their next request, closed at once on stop().
  std::mutex connections_mutex;
  uint64_t next_connection = 0;
  std::map<uint64_t, std::function<void()>> idle_closers;

  std::mutex done_mutex;
  std::condition_variable done_changed;
  bool done = false;

  Impl(ServerOptions o, RequestHandler h, LaneClassifier l)
      : options(std::move(o)),
        handler(std::move(h)),
        lanes(std::move(l)),
        connection_limiter(options.max_connections_per_address),
        io(std::max(1, options.threads)),
        workers(static_cast<std::size_t>(std::max(1, options.workers))),
        blocking_workers(static_cast<std::size_t>(std::max(1, options.blocking_workers))) {}

  uint64_t register_idle(std::function<void()> closer) {
    std::lock_guard lock(connections_mutex);
    uint64_t id = next_connection++;
    idle_closers.emplace(id, std::move(closer));
    return id;
  }
  void unregister_idle(uint64_t id) {
    std::lock_guard lock(connections_mutex);
    idle_closers.erase(id);
  }

  Response call_handler(Request& request) {
    try {
      return handler(request);
    } catch (const std::exception& e) {
      log::error("portal: unhandled error on {} {}: {}", request.method, request.path_for_log(),
                 e.what());
    } catch (...) {
      log::error("portal: unhandled error on {} {}", request.method, request.path_for_log());
    }
    return Response::text(500, "Internal Server Error\n");
  }

  // Runs the handler in its lane: inline, on the workers, or on the blocking workers (503 when
  // too many already wait for them).
  asio::awaitable<Response> run_handler(Request& request) {
    Lane lane = lanes ? lanes(request) : Lane::kWorker;
    if (lane == Lane::kInline) co_return call_handler(request);
    if (lane == Lane::kWorker)
      co_return co_await asio::co_spawn(
          workers,
          [this, &request]() -> asio::awaitable<Response> { co_return call_handler(request); },
          asio::use_awaitable);
    struct Waiting {
      std::atomic<int>& count;
      ~Waiting() { count.fetch_sub(1); }
    } waiting{blocking_waiting};
    if (blocking_waiting.fetch_add(1) >= options.max_queued_blocking + options.blocking_workers) {
      log::warn("portal: {} blocking requests are waiting; refused {} {}",
                options.max_queued_blocking, request.method, request.path_for_log());
      Response busy = Response::text(503, "The server is busy. Try again in a minute.\n");
      busy.set_header("Retry-After", "30");
      co_return busy;
    }
    co_return co_await asio::co_spawn(
        blocking_workers,
        [this, &request]() -> asio::awaitable<Response> { co_return call_handler(request); },
        asio::use_awaitable);
  }

  template <typename Stream>
  asio::awaitable<void> write_response(Stream& stream, const Request& request, Response& response,
                                       unsigned version, bool keep_alive) {
    auto status = static_cast<http::status>(response.status);
    auto fill = [&](auto& message) {
      message.set(http::field::date, http_date());
      for (auto& [name, value] : response.headers)
        message.insert(beast::string_view(name), beast::string_view(value));
      message.keep_alive(keep_alive);
    };
    if (request.method == "HEAD") {
      http::response<http::empty_body> message{status, version};
      fill(message);
      message.content_length(response.file ? response.file->length : response.body.size());
      co_await http::async_write(stream, message, asio::use_awaitable);
    } else if (response.file) {
      co_await write_file(stream, *response.file, status, version, fill);
    } else {
      http::response<http::string_body> message{status, version, std::move(response.body)};
      fill(message);
      message.prepare_payload();
      co_await http::async_write(stream, message, asio::use_awaitable);
    }
  }

  // Streams a file in 256 KB pieces; each piece has the read timeout to get out, so a slow but
  // moving download is not cut off. A file that cannot be read closes the connection (the
  // headers are out by then).
  template <typename Stream, typename Fill>
  asio::awaitable<void> write_file(Stream& stream, const FileBody& file, http::status status,
                                   unsigned version, Fill& fill) {
    std::unique_ptr<std::FILE, decltype(&std::fclose)> in(std::fopen(file.path.c_str(), "rb"),
                                                          std::fclose);
    if (!in || ::fseeko(in.get(), static_cast<off_t>(file.offset), SEEK_SET) != 0)
      throw beast::system_error(beast::error_code(errno, beast::system_category()));
    http::response<http::buffer_body> message{status, version};
    fill(message);
    message.content_length(file.length);
    message.body().data = nullptr;
    message.body().more = true;
    http::response_serializer<http::buffer_body> serializer{message};
    co_await http::async_write_header(stream, serializer, asio::use_awaitable);
    std::vector<char> buffer(256 * 1024);
    for (uint64_t left = file.length; left > 0;) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(left, buffer.size()));
      size_t got = std::fread(buffer.data(), 1, want, in.get());
      if (got == 0) throw beast::system_error(beast::error_code(EIO, beast::system_category()));
      left -= got;
      message.body().data = buffer.data();
      message.body().size = got;
      message.body().more = left > 0;
      stream.expires_after(options.read_timeout);
      beast::error_code ec;
      co_await http::async_write(stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
      if (ec && ec != http::error::need_buffer) throw beast::system_error(ec);
    }
    if (!serializer.is_done()) {
      message.body().data = nullptr;
      message.body().size = 0;
      message.body().more = false;
      beast::error_code ec;
      co_await http::async_write(stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
      if (ec && ec != http::error::need_buffer) throw beast::system_error(ec);
    }
  }

  template <typename Stream>
  asio::awaitable<void> write_error(Stream& stream, int status, unsigned version) {
    Request request;
    Response response = Response::text(status, std::string(status_reason(status)) + "\n");
    co_await write_response(stream, request, response, version, false);
  }

  void log_access(const Request& request, int status, std::size_t bytes,
                  std::chrono::steady_clock::time_point started_at) {
    if (!options.access_log) return;
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started_at)
                      .count();
    log::info("access method={} path={} status={} bytes={} ms={:.2f} ip={}", request.method,
              request.path_for_log(), status, bytes, static_cast<double>(micros) / 1000.0,
              request.client_ip());
  }

  template <typename Stream>
  asio::awaitable<void> serve_connection(std::shared_ptr<Stream> connection, std::string remote,
                                         std::optional<net::ConnectionLimiter::Slot> slot) {
    Stream& stream = *connection;
    std::weak_ptr<Stream> weak = connection;
    beast::flat_buffer buffer;
    beast::error_code ec;
    while (!stopping) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      parser.body_limit(options.max_body_bytes);

      stream.expires_after(options.idle_timeout);
      uint64_t idle_id = register_idle([weak] {
        auto alive = weak.lock();
        if (!alive) return;
        asio::post(alive->get_executor(), [weak] {
          if (auto still = weak.lock()) {
            beast::error_code ignored;
            still->socket().close(ignored);
          }
        });
      });
      co_await http::async_read_header(stream, buffer, parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
      unregister_idle(idle_id);
      if (ec == http::error::header_limit) {
        co_await write_error(stream, 431, 11);
        break;
      }
      if (ec == http::error::body_limit) {
        co_await write_error(stream, 413, 11);
        break;
      }
      if (ec) {
        if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
            ec != asio::error::operation_aborted && ec != asio::error::connection_reset &&
            ec != asio::error::eof && ec != asio::error::bad_descriptor)
          co_await write_error(stream, 400, 11);
        break;
      }
      auto started_at = std::chrono::steady_clock::now();
      const auto& header = parser.get();
      if (header[http::field::expect] == "100-continue") {
        if (parser.content_length() && *parser.content_length() > options.max_body_bytes) {
          co_await write_error(stream, 413, header.version());
          break;
        }
        http::response<http::empty_body> proceed{http::status::continue_, header.version()};
        co_await http::async_write(stream, proceed, asio::use_awaitable);
      }
      stream.expires_after(options.read_timeout);
      co_await http::async_read(stream, buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec == http::error::body_limit) {
        co_await write_error(stream, 413, header.version());
        break;
      }
      if (ec) {
        if (ec != beast::error::timeout && ec != http::error::end_of_stream)
          co_await write_error(stream, 400, header.version());
        break;
      }
      http::request<http::string_body> message = parser.release();
      Request request = to_request(message, remote, options.trusted_proxies);
      Response response = co_await run_handler(request);
      bool keep_alive = message.keep_alive() && !stopping;
      int status = response.status;
      std::size_t bytes = response.file ? response.file->length : response.body.size();
      stream.expires_after(options.read_timeout);
      co_await write_response(stream, request, response, message.version(), keep_alive);
      log_access(request, status, bytes, started_at);
      if (!keep_alive) break;
    }
    stream.socket().shutdown(asio::socket_base::shutdown_send, ec);
    slot.reset();
  }

  // Tells a peer over its connection cap so and closes; the write gets a few seconds at most.
  template <typename Stream>
  asio::awaitable<void> refuse_connection(std::shared_ptr<Stream> connection) {
    connection->expires_after(std::chrono::seconds(5));
    Request none;
    Response response = Response::text(503, "Too many connections from your address.\n");
    co_await write_response(*connection, none, response, 11, false);
    beast::error_code ignored;
    connection->socket().shutdown(asio::socket_base::shutdown_send, ignored);
  }

  template <typename Acceptor, typename Stream>
  asio::awaitable<void> accept_loop(Acceptor& acceptor) {
    net::AcceptBackoff backoff("portal");
    asio::steady_timer pause(io);
    for (;;) {
      beast::error_code ec;
      auto socket = co_await acceptor.async_accept(asio::make_strand(io),
                                                   asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        pause.expires_after(backoff.failed(ec.message()));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (stopping) co_return;
        continue;
      }
      backoff.succeeded();
      std::string remote = "unix";
      if constexpr (std::is_same_v<Stream, TcpStream>) {
        beast::error_code peer_ec;
        auto endpoint = socket.remote_endpoint(peer_ec);
        if (peer_ec) continue;  // gone already; never mistaken for a Unix-socket peer
        remote = endpoint.address().to_string();
        socket.set_option(tcp::no_delay(true), peer_ec);
      }
      auto executor = socket.get_executor();
      auto stream = std::make_shared<Stream>(std::move(socket));
      std::optional<net::ConnectionLimiter::Slot> slot;
      if (!options.trusted_proxies.trusts(remote)) {
        slot = connection_limiter.admit(remote);
        if (!slot) {
          asio::co_spawn(executor, refuse_connection(stream), asio::detached);
          continue;
        }
      }
      asio::co_spawn(executor,
                     serve_connection(std::move(stream), std::move(remote), std::move(slot)),
                     asio::detached);
    }
  }

  void bind() {
    const std::string& listen = options.listen;
    if (listen.rfind("unix:", 0) == 0) {
      std::filesystem::path path = listen.substr(5);
      if (path.empty()) throw Error(ErrorKind::kConfig, "server.listen: the unix: path is empty");
      std::error_code ignored;
      if (std::filesystem::is_socket(path, ignored)) std::filesystem::remove(path, ignored);
      unix_acceptor.emplace(io);
      beast::error_code ec;
      unix_acceptor->open(unix_socket(), ec);
      if (!ec) unix_acceptor->bind(unix_socket::endpoint(path.string()), ec);
      if (!ec) unix_acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (ec)
        throw Error(ErrorKind::kConfig,
                    "cannot listen on " + listen + ": " + ec.message() +
                        " (does the folder exist and is it writable by this user?)");
      ::chmod(path.c_str(), options.unix_socket_mode);
      return;
    }
    net::ListenAddress where = net::parse_listen_address(
        listen, "server.listen (address:port or unix:/path/to.sock)", "0.0.0.0");
    beast::error_code ec;
    auto address = asio::ip::make_address(where.host, ec);
    if (ec)
      throw Error(ErrorKind::kConfig, "server.listen: '" + where.host + "' is not an IP address");
    tcp::endpoint endpoint(address, where.port);
    tcp_acceptor.emplace(io);
    tcp_acceptor->open(endpoint.protocol(), ec);
    if (!ec) tcp_acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) tcp_acceptor->bind(endpoint, ec);
    if (!ec) tcp_acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw Error(ErrorKind::kConfig, "cannot listen on " + listen + ": " + ec.message());
    bound_port = tcp_acceptor->local_endpoint().port();
  }

  void close_acceptors() {
    beast::error_code ignored;
    if (tcp_acceptor) tcp_acceptor->close(ignored);
    if (unix_acceptor) unix_acceptor->close(ignored);
  }
};

HttpServer::HttpServer(ServerOptions options, RequestHandler handler, LaneClassifier lanes)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(lanes))) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start() {
  Impl& impl = *impl_;
  if (impl.started.exchange(true)) return;
  impl.bind();
  if (impl.tcp_acceptor)
    asio::co_spawn(impl.io, impl.accept_loop<tcp::acceptor, TcpStream>(*impl.tcp_acceptor),
                   asio::detached);
  else
    asio::co_spawn(impl.io,
                   impl.accept_loop<unix_socket::acceptor, UnixStream>(*impl.unix_acceptor),
                   asio::detached);
  int count = std::max(1, impl.options.threads);
  for (int i = 0; i < count; ++i)
    impl.threads.emplace_back([&impl] { impl.io.run(); });
}

uint16_t HttpServer::port() const {
  return impl_->bound_port;
}

void HttpServer::stop() {
  Impl& impl = *impl_;
  if (!impl.started || impl.stopping.exchange(true)) {
    wait();
    return;
  }
  asio::post(impl.io, [&impl] { impl.close_acceptors(); });
  {
    std::lock_guard lock(impl.connections_mutex);
    for (auto& [id, close] : impl.idle_closers)
      close();
  }
  // Connections in the middle of a request finish it; the io_context then runs out of work.
  std::thread watchdog([&impl] {
    auto deadline = std::chrono::steady_clock::now() + impl.options.shutdown_grace;
    while (!impl.io.stopped() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::lock_guard lock(impl.connections_mutex);
      for (auto& [id, close] : impl.idle_closers)
        close();
    }
    impl.io.stop();
  });
  for (auto& thread : impl.threads)
    thread.join();
  impl.io.stop();
  watchdog.join();
  impl.workers.join();
  impl.blocking_workers.join();
  if (impl.unix_acceptor) {
    std::error_code ignored;
    std::filesystem::remove(impl.options.listen.substr(5), ignored);
  }
  {
    std::lock_guard lock(impl.done_mutex);
    impl.done = true;
  }
  impl.done_changed.notify_all();
}

void HttpServer::wait() {
  Impl& impl = *impl_;
  if (!impl.started) return;
  std::unique_lock lock(impl.done_mutex);
  impl.done_changed.wait(lock, [&impl] { return impl.done; });
}

}  // namespace da::web
