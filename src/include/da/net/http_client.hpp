// A small blocking HTTP(S) client over libcurl, for calling remote APIs (OAuth token
// endpoints, JWKS, Keboola, Telegram). Every request has a connect and a total timeout;
// TLS peers are verified. Thread-safe: each thread has its own curl handle, whose connections
// later calls on that thread reuse.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace da::net {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};
  bool follow_redirects = false;
  // Connections are kept per thread and reused; false opens a new one and closes it after.
  bool reuse_connection = true;
  // PEM file of further CAs that may sign the server's certificate (a private CA; see
  // da/net/ca_file.hpp); empty: the system's CAs only.
  std::filesystem::path ca_file;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names in lower case; last value wins
  std::string body;
  // The header's value or "" (name in any case).
  std::string header(std::string_view name) const;
};

// Receives a response body piece by piece; may throw to abort the transfer (the exception
// then leaves HttpClient::stream()).
using BodySink = std::function<void(std::string_view data)>;

class HttpClient {
 public:
  // Performs the request. A response with any status (4xx/5xx included) is returned; network
  // failures (DNS, refused, TLS, timeout) throw Error(kSource) naming the method, the URL
  // without its query string, and curl's reason (for an untrusted certificate also the CAs it
  // was checked against). An unusable `ca_file` throws Error(kConfig) naming it.
  HttpResponse send(const HttpRequest& request) const;

  // Streams the response body into `file` (created or truncated) instead of memory;
  // the body of a non-2xx answer is kept in the returned response instead.
  HttpResponse download(const HttpRequest& request, const std::filesystem::path& file) const;

  // Hands the body of a 2xx answer to `sink` as it arrives; other answers keep their body in
  // the returned response.
  HttpResponse stream(const HttpRequest& request, const BodySink& sink) const;
};

// application/x-www-form-urlencoded encoding of `fields`.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);
// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(std::string_view text);
// url_encode() of each '/'-separated segment, the slashes kept: "/a b/c" -> "/a%20b/c". This is
// also S3's URI encoding of object keys.
std::string url_encode_path(std::string_view path);

}  // namespace da::net
