#include "fakes/keboola/wire_server.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "da/common/strings.hpp"
#include "da/web/response.hpp"

namespace da::fakes {

namespace {

// A keep-alive connection that stays quiet (or a client that stops reading) for this long is
// closed, so a stuck client cannot hold a thread for ever.
constexpr auto kIdleLimit = std::chrono::seconds(60);
constexpr int kPollMilliseconds = 50;
constexpr std::size_t kMaxHeaderBytes = 1 << 20;
constexpr std::size_t kMaxBodyBytes = 256u << 20;
constexpr std::size_t kFileChunk = 1 << 20;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Socket {
 public:
  Socket(int fd, const std::atomic<bool>& stopping) : fd_(fd), stopping_(stopping) {}

  // Reads more bytes into buffer(); false when the peer left, went idle or the server stops.
  bool fill() {
    auto idle_since = std::chrono::steady_clock::now();
    while (!stopping_.load()) {
      if (std::chrono::steady_clock::now() - idle_since > kIdleLimit) return false;
      pollfd poll_fd{fd_, POLLIN, 0};
      int ready = ::poll(&poll_fd, 1, kPollMilliseconds);
      if (ready < 0 && errno != EINTR) return false;
      if (ready <= 0) continue;
      char chunk[16384];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    return false;
  }

  bool send_all(std::string_view data) {
    auto idle_since = std::chrono::steady_clock::now();
    while (!data.empty()) {
      if (stopping_.load() || std::chrono::steady_clock::now() - idle_since > kIdleLimit)
        return false;
      pollfd poll_fd{fd_, POLLOUT, 0};
      int ready = ::poll(&poll_fd, 1, kPollMilliseconds);
      if (ready < 0 && errno != EINTR) return false;
      if (ready <= 0) continue;
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
      idle_since = std::chrono::steady_clock::now();
    }
    return true;
  }

  // Sleeps, waking early when the server stops; false then.
  bool sleep(std::chrono::milliseconds delay) {
    auto until = std::chrono::steady_clock::now() + delay;
    while (std::chrono::steady_clock::now() < until) {
      if (stopping_.load()) return false;
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(kPollMilliseconds), until - std::chrono::steady_clock::now()));
    }
    return !stopping_.load();
  }

  std::string& buffer() { return buffer_; }

 private:
  int fd_;
  const std::atomic<bool>& stopping_;
  std::string buffer_;
};

bool parse_head(std::string_view head, WireRequest& request) {
  auto line_end = head.find("\r\n");
  std::vector<std::string> words = split(head.substr(0, line_end), ' ');
  if (words.size() != 3 || words[2].rfind("HTTP/1.", 0) != 0) return false;
  request.method = words[0];
  auto question = words[1].find('?');
  request.path = words[1].substr(0, question);
  if (question != std::string::npos) request.query = words[1].substr(question + 1);
  while (line_end != std::string_view::npos) {
    auto start = line_end + 2;
    line_end = head.find("\r\n", start);
    std::string_view line = head.substr(
        start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
    if (line.empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    request.headers.emplace_back(to_lower(trim(line.substr(0, colon))),
                                 std::string(trim(line.substr(colon + 1))));
  }
  return true;
}

// Reads one request; nullopt when the connection is over (or the request is malformed, which a
// fake need not answer politely).
std::optional<WireRequest> read_request(Socket& socket, bool& keep_alive) {
  std::string& buffer = socket.buffer();
  std::size_t head_end;
  while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (buffer.size() > kMaxHeaderBytes || !socket.fill()) return std::nullopt;
  }
  WireRequest request;
  std::string head = buffer.substr(0, head_end);
  buffer.erase(0, head_end + 4);
  if (!parse_head(head, request)) return std::nullopt;
  keep_alive = head.substr(0, head.find("\r\n")).ends_with("HTTP/1.1");
  if (to_lower(request.header("connection")) == "close") keep_alive = false;
  if (!request.header("transfer-encoding").empty()) return std::nullopt;
  std::size_t length = 0;
  if (auto text = request.header("content-length"); !text.empty()) {
    try {
      length = std::stoull(text);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  if (length > kMaxBodyBytes) return std::nullopt;
  if (length > buffer.size() && to_lower(request.header("expect")) == "100-continue")
    socket.send_all("HTTP/1.1 100 Continue\r\n\r\n");
  while (buffer.size() < length) {
    if (!socket.fill()) return std::nullopt;
  }
  request.body = buffer.substr(0, length);
  buffer.erase(0, length);
  return request;
}

// Sends the last piece of an answer. The transfer stops counting as in flight (until_sent is
// released) before its last byte goes out, so a client that waits for the whole answer before
// asking again can never find it still in flight.
bool send_last(Socket& socket, std::string_view data, WireResponse& response) {
  if (data.empty()) {
    response.until_sent.reset();
    return true;
  }
  if (!socket.send_all(data.substr(0, data.size() - 1))) return false;
  response.until_sent.reset();
  return socket.send_all(data.substr(data.size() - 1));
}

bool send_file_range(Socket& socket, WireResponse& response) {
  int fd = ::open(response.file->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::string chunk(kFileChunk, '\0');
  uint64_t offset = response.file_offset;
  uint64_t left = response.file_length;
  bool ok = true;
  while (ok && left > 0) {
    ssize_t n = ::pread(fd, chunk.data(), std::min<uint64_t>(left, chunk.size()),
                        static_cast<off_t>(offset));
    if (n <= 0) {
      ok = false;
      break;
    }
    std::string_view piece(chunk.data(), static_cast<std::size_t>(n));
    ok = static_cast<uint64_t>(n) == left ? send_last(socket, piece, response)
                                          : socket.send_all(piece);
    offset += static_cast<uint64_t>(n);
    left -= static_cast<uint64_t>(n);
  }
  ::close(fd);
  return ok;
}

bool send_response(Socket& socket, const WireRequest& request, WireResponse& response,
                   bool keep_alive) {
  uint64_t length = response.file ? response.file_length : response.body.size();
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " +
                     web::status_reason(response.status) + "\r\n";
  for (const auto& [name, value] : response.headers)
    head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(length) + "\r\n";
  head += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (request.method == "HEAD") return send_last(socket, head, response);
  if (response.file)
    return response.file_length == 0 ? send_last(socket, head, response)
                                     : socket.send_all(head) && send_file_range(socket, response);
  if (response.cut_body_after) {
    socket.send_all(head + response.body.substr(0, *response.cut_body_after));
    return false;  // closes the connection mid-body
  }
  return send_last(socket, head + response.body, response);
}

}  // namespace

std::string WireRequest::header(std::string_view name) const {
  std::string wanted = to_lower(name);
  for (const auto& [key, value] : headers)
    if (key == wanted) return value;
  return "";
}

std::string percent_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else if (text[i] == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

WireFields parse_urlencoded(std::string_view text) {
  WireFields fields;
  for (const std::string& part : split(text, '&')) {
    if (part.empty()) continue;
    auto equals = part.find('=');
    std::string_view view(part);
    fields.emplace_back(percent_decode(view.substr(0, equals), true),
                        equals == std::string::npos
                            ? std::string()
                            : percent_decode(view.substr(equals + 1), true));
  }
  return fields;
}

WireServer::WireServer(Handler handler) : handler_(std::move(handler)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0)
    throw std::runtime_error("WireServer: socket: " + std::string(strerror(errno)));
  int yes = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 128) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::string why = strerror(errno);
    ::close(listener_);
    throw std::runtime_error("WireServer: listening on 127.0.0.1: " + why);
  }
  port_ = ntohs(address.sin_port);
  accept_thread_ = std::thread([this] { accept_loop(); });
}

WireServer::~WireServer() {
  stopping_.store(true);
  // Wakes the blocked accept(); connections see stopping_ at their next poll, and shutting
  // their sockets down ends any blocking call at once.
  ::shutdown(listener_, SHUT_RDWR);
  if (accept_thread_.joinable()) accept_thread_.join();
  ::close(listener_);
  std::list<Connection> connections;
  {
    std::lock_guard lock(mutex_);
    for (Connection& connection : connections_)
      if (connection.fd >= 0) ::shutdown(connection.fd, SHUT_RDWR);
    connections.splice(connections.end(), connections_);
  }
  for (Connection& connection : connections)
    if (connection.thread.joinable()) connection.thread.join();
}

void WireServer::reap_finished() {
  std::lock_guard lock(mutex_);
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

void WireServer::accept_loop() {
  while (!stopping()) {
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (stopping()) {
      if (client >= 0) ::close(client);
      return;
    }
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE) continue;
      return;
    }
    int yes = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    reap_finished();
    std::lock_guard lock(mutex_);
    Connection& connection =
        connections_.emplace_back(Connection{client, {}, std::make_shared<std::atomic<bool>>()});
    Connection* slot = &connection;
    connection.thread = std::thread([this, slot, client] {
      serve(client);
      std::lock_guard lock(mutex_);
      ::close(client);
      slot->fd = -1;
      slot->done->store(true);
    });
  }
}

void WireServer::serve(int fd) {
  Socket socket(fd, stopping_);
  bool keep_alive = true;
  while (keep_alive) {
    std::optional<WireRequest> request = read_request(socket, keep_alive);
    if (!request) return;
    WireResponse response = handler_(*request);
    if (response.delay.count() > 0 && !socket.sleep(response.delay)) return;
    if (response.drop) return;
    if (!send_response(socket, *request, response, keep_alive)) return;
  }
}

}  // namespace da::fakes
