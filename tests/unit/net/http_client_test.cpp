#include "da/net/http_client.hpp"

#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::net {
namespace {

// A listening loopback socket; closed on destruction.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { close(); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int fd() const { return fd_; }
  uint16_t port() const { return port_; }
  void shutdown() const { ::shutdown(fd_, SHUT_RDWR); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

std::size_t content_length(const std::string& head) {
  for (const std::string& line : split(head, '\n')) {
    auto colon = line.find(':');
    if (colon != std::string::npos && to_lower(trim(line.substr(0, colon))) == "content-length")
      return std::stoul(std::string(trim(line.substr(colon + 1))));
  }
  return 0;
}

// Reads one HTTP/1.1 request: the head up to the blank line, then Content-Length bytes.
std::string read_request(int client) {
  std::string data;
  char chunk[4096];
  std::size_t head_end = std::string::npos;
  while (true) {
    head_end = data.find("\r\n\r\n");
    if (head_end != std::string::npos &&
        data.size() >= head_end + 4 + content_length(data.substr(0, head_end)))
      return data;
    ssize_t n = ::recv(client, chunk, sizeof chunk, 0);
    if (n <= 0) return data;
    data.append(chunk, static_cast<std::size_t>(n));
  }
}

void send_all(int client, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(client, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// A loopback HTTP/1.1 server answering each request with the canned response that `respond`
// builds from the raw request, then closing the connection.
class TinyHttpServer {
 public:
  using Respond = std::function<std::string(const std::string& request)>;

  explicit TinyHttpServer(Respond respond) : respond_(std::move(respond)) {
    thread_ = std::jthread([this] { serve(); });
  }
  ~TinyHttpServer() {
    listener_.shutdown();
    thread_.join();
  }

  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(listener_.port()) + std::string(path);
  }
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::string last_request() const {
    auto all = requests();
    return all.empty() ? "" : all.back();
  }

 private:
  void serve() {
    while (true) {
      int client = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) return;
      std::string request = read_request(client);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      send_all(client, respond_(request));
      ::close(client);
    }
  }

  Listener listener_;
  Respond respond_;
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::jthread thread_;
};

std::string response(std::string_view status, std::string_view body,
                     std::string_view extra_headers = "") {
  return "HTTP/1.1 " + std::string(status) + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n" + std::string(extra_headers) + "Connection: close\r\n\r\n" + std::string(body);
}

std::string body_of(const std::string& request) {
  return request.substr(request.find("\r\n\r\n") + 4);
}

bool has_header_line(const std::string& request, std::string_view line) {
  return to_lower(request).find("\r\n" + to_lower(line) + "\r\n") != std::string::npos;
}

// The message of the Error(kSource) that `call` throws.
template <typename Call>
std::string source_error(Call call) {
  return testing::thrown_message(ErrorKind::kSource, call);
}

TEST(HttpClient, GetReturnsStatusHeadersAndBody) {
  TinyHttpServer server([](const std::string&) {
    return response("200 OK", "hello", "Content-Type: text/plain\r\nX-Request-Id: Abc-123\r\n");
  });
  HttpRequest request;
  request.url = server.url("/things?page=2");
  request.headers = {{"Authorization", "Bearer t0ken"}, {"Accept", "application/json"}};
  HttpResponse answer = HttpClient().send(request);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "hello");
  EXPECT_EQ(answer.header("Content-Type"), "text/plain");
  EXPECT_EQ(answer.header("x-request-id"), "Abc-123");
  EXPECT_EQ(answer.headers.count("x-request-id"), 1u);
  EXPECT_EQ(answer.header("X-Missing"), "");
  std::string seen = server.last_request();
  EXPECT_EQ(seen.rfind("GET /things?page=2 HTTP/1.1\r\n", 0), 0u) << seen;
  EXPECT_TRUE(has_header_line(seen, "Authorization: Bearer t0ken")) << seen;
  EXPECT_TRUE(has_header_line(seen, "Accept: application/json")) << seen;
}

TEST(HttpClient, ReturnsErrorStatusesWithoutThrowing) {
  TinyHttpServer server([](const std::string& request) {
    return request.find("/missing") != std::string::npos
               ? response("404 Not Found", "no such thing")
               : response("503 Service Unavailable", "");
  });
  HttpRequest request;
  request.url = server.url("/missing");
  HttpResponse answer = HttpClient().send(request);
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(answer.body, "no such thing");
  request.url = server.url("/down");
  EXPECT_EQ(HttpClient().send(request).status, 503);
}

TEST(HttpClient, LastHeaderValueWins) {
  TinyHttpServer server([](const std::string&) {
    return response("200 OK", "", "X-Dup: first\r\nx-dup: second\r\n");
  });
  HttpRequest request;
  request.url = server.url("/");
  EXPECT_EQ(HttpClient().send(request).header("X-Dup"), "second");
}

TEST(HttpClient, PostSendsTheBody) {
  TinyHttpServer server([](const std::string&) { return response("200 OK", R"({"ok":true})"); });
  HttpRequest request;
  request.method = "POST";
  request.url = server.url("/token");
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = form_encode({{"grant_type", "authorization_code"}, {"code", "a b&c"}});
  HttpResponse answer = HttpClient().send(request);
  EXPECT_EQ(answer.body, R"({"ok":true})");
  std::string seen = server.last_request();
  EXPECT_EQ(seen.rfind("POST /token HTTP/1.1\r\n", 0), 0u) << seen;
  EXPECT_TRUE(has_header_line(seen, "Content-Length: " + std::to_string(request.body.size())));
  EXPECT_EQ(body_of(seen), "grant_type=authorization_code&code=a%20b%26c");
  EXPECT_EQ(seen.find("Expect:"), std::string::npos) << seen;
}

TEST(HttpClient, SendsOtherMethodsAsCustomRequests) {
  TinyHttpServer server([](const std::string&) { return response("204 No Content", ""); });
  HttpRequest request;
  request.method = "PUT";
  request.url = server.url("/items/1");
  request.headers = {{"Content-Type", "application/json"}};
  request.body = R"({"name":"x"})";
  EXPECT_EQ(HttpClient().send(request).status, 204);
  EXPECT_EQ(server.last_request().rfind("PUT /items/1 HTTP/1.1\r\n", 0), 0u);
  EXPECT_EQ(body_of(server.last_request()), request.body);

  request.method = "DELETE";
  request.body.clear();
  request.headers.clear();
  EXPECT_EQ(HttpClient().send(request).status, 204);
  std::string seen = server.last_request();
  EXPECT_EQ(seen.rfind("DELETE /items/1 HTTP/1.1\r\n", 0), 0u) << seen;
  EXPECT_EQ(body_of(seen), "");
}

TEST(HttpClient, FollowsRedirectsOnlyWhenAsked) {
  TinyHttpServer server([](const std::string& request) {
    if (request.rfind("GET /old", 0) == 0)
      return response("302 Found", "moved", "Location: /new\r\nX-Hop: first\r\n");
    return response("200 OK", "arrived");
  });
  HttpRequest request;
  request.url = server.url("/old");
  HttpResponse answer = HttpClient().send(request);
  EXPECT_EQ(answer.status, 302);
  EXPECT_EQ(answer.header("location"), "/new");
  request.follow_redirects = true;
  answer = HttpClient().send(request);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "arrived");
  EXPECT_EQ(answer.header("X-Hop"), "");  // headers are the final response's
}

TEST(HttpClient, RefusedConnectionThrowsSourceErrorWithoutTheQuery) {
  uint16_t port = 0;
  {
    Listener unused;  // a port that was free a moment ago and has nobody listening now
    port = unused.port();
  }
  HttpRequest request;
  request.url = "http://user:pa55word@127.0.0.1:" + std::to_string(port) + "/x?access_token=s3cret";
  std::string message = source_error([&] { HttpClient().send(request); });
  EXPECT_NE(message.find("GET http://127.0.0.1:" + std::to_string(port) + "/x"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
  EXPECT_EQ(message.find("pa55word"), std::string::npos) << message;
}

TEST(HttpClient, SlowServerThrowsSourceErrorAfterTheTimeout) {
  Listener silent;  // the kernel completes the handshake, but nobody ever answers
  HttpRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/slow";
  request.total_timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  std::string message = source_error([&] { HttpClient().send(request); });
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_NE(message.find("POST http://127.0.0.1:"), std::string::npos) << message;
  EXPECT_NE(to_lower(message).find("timed out"), std::string::npos) << message;
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(HttpClient, DownloadStreamsTheBodyToAFile) {
  std::string payload;
  for (int i = 0; i < 20'000; ++i)
    payload += "row " + std::to_string(i) + "\n";
  TinyHttpServer server([&](const std::string&) { return response("200 OK", payload); });
  testing::TempDir dir;
  auto file = dir / "export.csv";
  {
    std::ofstream stale(file);
    stale << "old content that must be truncated away, longer than nothing";
  }
  HttpRequest request;
  request.url = server.url("/export.csv");
  HttpResponse answer = HttpClient().download(request, file);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "");
  EXPECT_EQ(testing::read_text(file), payload);
}

TEST(HttpClient, DownloadKeepsAnErrorBodyInTheResponse) {
  TinyHttpServer server(
      [](const std::string&) { return response("403 Forbidden", "token expired"); });
  testing::TempDir dir;
  HttpRequest request;
  request.url = server.url("/export.csv");
  HttpResponse answer = HttpClient().download(request, dir / "export.csv");
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(answer.body, "token expired");
  EXPECT_EQ(testing::read_text(dir / "export.csv"), "");
}

TEST(HttpClient, DownloadIntoAMissingFolderThrows) {
  TinyHttpServer server([](const std::string&) { return response("200 OK", "x"); });
  testing::TempDir dir;
  HttpRequest request;
  request.url = server.url("/x");
  EXPECT_THROW(HttpClient().download(request, dir / "no-such-folder" / "x"), Error);
}

TEST(HttpClient, ServesConcurrentCallersIndependently) {
  TinyHttpServer server([](const std::string& request) {
    std::string path = request.substr(4, request.find(' ', 4) - 4);
    return response("200 OK", path);
  });
  std::vector<std::string> bodies(4);
  {
    std::vector<std::jthread> callers;
    for (std::size_t i = 0; i < bodies.size(); ++i)
      callers.emplace_back([&, i] {
        HttpRequest request;
        request.url = server.url("/caller/" + std::to_string(i));
        for (int round = 0; round < 5; ++round)
          bodies[i] = HttpClient().send(request).body;
      });
  }
  for (std::size_t i = 0; i < bodies.size(); ++i)
    EXPECT_EQ(bodies[i], "/caller/" + std::to_string(i));
}

TEST(HttpClient, UrlEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(url_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(url_encode("a b&c=d/e?f#g+h%"), "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
  EXPECT_EQ(url_encode("Zürich"), "Z%C3%BCrich");
  EXPECT_EQ(url_encode(""), "");
}

// Also S3's encoding of object keys (AWS SigV4 canonical URIs).
TEST(HttpClient, UrlEncodePathKeepsTheSlashes) {
  EXPECT_EQ(url_encode_path("/a b/c+d~e.csv.gz"), "/a%20b/c%2Bd~e.csv.gz");
  EXPECT_EQ(url_encode("a/b"), "a%2Fb");
}

TEST(HttpClient, FormEncodeJoinsEncodedPairs) {
  EXPECT_EQ(form_encode({}), "");
  EXPECT_EQ(form_encode({{"grant_type", "authorization_code"},
                         {"redirect_uri", "https://da.example/auth/callback?x=1"},
                         {"empty", ""}}),
            "grant_type=authorization_code&redirect_uri=https%3A%2F%2Fda.example%2Fauth%2Fcallback%"
            "3Fx%3D1"
            "&empty=");
}

}  // namespace
}  // namespace da::net
