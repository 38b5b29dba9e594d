#include "da/net/http_client.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <new>

#include <curl/curl.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/net/ca_file.hpp"

namespace da::net {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw Error(ErrorKind::kInternal, "libcurl could not be initialised");
  });
}

// Filled by the curl callbacks, which must never throw: a failure is recorded and the
// transfer aborted by returning a short count.
struct Transfer {
  HttpResponse response;
  long current_status = 0;  // of the response being received; redirects have several
  const BodySink* sink = nullptr;
  std::exception_ptr sink_failure;
  bool out_of_memory = false;
};

bool streams_to_sink(const Transfer& transfer) {
  return transfer.sink != nullptr && transfer.current_status / 100 == 2;
}

size_t on_body(char* data, size_t size, size_t count, void* user) noexcept {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  if (streams_to_sink(*transfer)) {
    try {
      (*transfer->sink)(std::string_view(data, bytes));
      return bytes;
    } catch (...) {
      transfer->sink_failure = std::current_exception();
      return 0;
    }
  }
  try {
    transfer->response.body.append(data, bytes);
    return bytes;
  } catch (...) {
    transfer->out_of_memory = true;
    return 0;
  }
}

void record_header_line(Transfer& transfer, std::string_view line) {
  if (line.rfind("HTTP/", 0) == 0) {
    // A new response starts (after a redirect or a 100 Continue): forget the previous one.
    transfer.response.headers.clear();
    auto space = line.find(' ');
    transfer.current_status = space == std::string_view::npos
                                  ? 0
                                  : std::atol(std::string(line.substr(space + 1)).c_str());
    return;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return;
  transfer.response.headers[to_lower(trim(line.substr(0, colon)))] =
      std::string(trim(line.substr(colon + 1)));
}

size_t on_header(char* data, size_t size, size_t count, void* user) noexcept {
  auto* transfer = static_cast<Transfer*>(user);
  try {
    record_header_line(*transfer, std::string_view(data, size * count));
    return size * count;
  } catch (...) {
    transfer->out_of_memory = true;
    return 0;
  }
}

// Query strings and user info carry tokens; neither belongs in an error message.
std::string printable_url(const std::string& url) {
  std::string base = url.substr(0, url.find_first_of("?#"));
  auto scheme = base.find("://");
  auto host_start = scheme == std::string::npos ? 0 : scheme + 3;
  auto at = base.find('@', host_start);
  if (at != std::string::npos && at < base.find('/', host_start))
    base.erase(host_start, at + 1 - host_start);
  return base;
}

bool sends_body(const HttpRequest& request) {
  return !request.body.empty() || request.method == "POST" || request.method == "PUT" ||
         request.method == "PATCH";
}

void set_method(CURL* handle, const HttpRequest& request) {
  if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
    return;
  }
  if (request.method != "GET" && request.method != "POST")
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (sends_body(request)) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.c_str());
  }
}

void set_options(CURL* handle, const HttpRequest& request, Transfer& transfer, char* error_buffer) {
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  if (!request.ca_file.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, request.ca_file.c_str());
  if (!request.reuse_connection) {
    curl_easy_setopt(handle, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(handle, CURLOPT_FORBID_REUSE, 1L);
  }
  curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
  set_method(handle, request);
}

using CurlHandle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

HeaderList header_list(const HttpRequest& request) {
  // "Expect:" stops curl from waiting for a 100 Continue before sending larger bodies.
  HeaderList list(curl_slist_append(nullptr, "Expect:"), curl_slist_free_all);
  if (!list) throw std::bad_alloc();
  for (const auto& [name, value] : request.headers) {
    if ((name + value).find_first_of("\r\n") != std::string::npos)
      throw Error(ErrorKind::kInternal, "HTTP header " + name + " contains a line break");
    // Appending to a non-empty list keeps its head, so only failure needs handling.
    if (!curl_slist_append(list.get(), (name + ": " + value).c_str())) throw std::bad_alloc();
  }
  return list;
}

// One handle per thread, reset between requests: libcurl then keeps its connections (and TLS
// sessions) alive, so a thread fetching thousands of files opens one connection, not thousands.
CURL* thread_handle() {
  thread_local CurlHandle handle(curl_easy_init(), curl_easy_cleanup);
  if (!handle) throw Error(ErrorKind::kInternal, "libcurl could not create a handle");
  curl_easy_reset(handle.get());
  return handle.get();
}

// curl's reason, and for a certificate it could not verify, against which CAs.
std::string failure_reason(CURLcode code, const char* error_buffer, const HttpRequest& request) {
  std::string reason = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
  if (code != CURLE_PEER_FAILED_VERIFICATION) return reason;
  return reason + " (checked against " +
         (request.ca_file.empty() ? "" : request.ca_file.string() + " and ") +
         "the system's CA certificates)";
}

HttpResponse perform(const HttpRequest& request, const BodySink* sink) {
  global_init();
  if (!request.ca_file.empty()) check_ca_file(request.ca_file, "the CA file");
  CURL* handle = thread_handle();
  Transfer transfer;
  transfer.sink = sink;
  // Bodies that are streamed are big (exports, files): fewer, larger callbacks.
  if (sink != nullptr) curl_easy_setopt(handle, CURLOPT_BUFFERSIZE, 512L * 1024);
  char error_buffer[CURL_ERROR_SIZE] = {0};
  set_options(handle, request, transfer, error_buffer);
  HeaderList headers = header_list(request);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  CURLcode code = curl_easy_perform(handle);
  std::string where = request.method + " " + printable_url(request.url);
  if (transfer.sink_failure) std::rethrow_exception(transfer.sink_failure);
  if (transfer.out_of_memory) throw std::bad_alloc();
  if (code != CURLE_OK)
    throw Error(ErrorKind::kSource, where + ": " + failure_reason(code, error_buffer, request));
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  return std::move(transfer.response);
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  auto found = headers.find(to_lower(name));
  return found == headers.end() ? std::string() : found->second;
}

HttpResponse HttpClient::send(const HttpRequest& request) const {
  return perform(request, nullptr);
}

HttpResponse HttpClient::download(const HttpRequest& request,
                                  const std::filesystem::path& file) const {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> out(std::fopen(file.c_str(), "wb"),
                                                         std::fclose);
  if (!out) throw_system_error("cannot create the download file", file.string(), errno);
  BodySink write = [&](std::string_view data) {
    if (std::fwrite(data.data(), 1, data.size(), out.get()) != data.size())
      throw_system_error("cannot write the download file", file.string(), errno);
  };
  HttpResponse response = perform(request, &write);
  if (std::fflush(out.get()) != 0)
    throw_system_error("cannot write the download file", file.string(), errno);
  return response;
}

HttpResponse HttpClient::stream(const HttpRequest& request, const BodySink& sink) const {
  return perform(request, &sink);
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string url_encode_path(std::string_view path) {
  std::vector<std::string> segments;
  for (const std::string& segment : split(path, '/'))
    segments.push_back(url_encode(segment));
  return join(segments, "/");
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out.push_back('&');
    out += url_encode(name) + "=" + url_encode(value);
  }
  return out;
}

}  // namespace da::net
