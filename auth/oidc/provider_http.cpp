#include "provider_http.hpp"

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::auth::oidc {

namespace {

constexpr size_t kMaxErrorText = 200;

// Printable text of at most kMaxErrorText bytes, cut on a character boundary.
std::string bounded_text(std::string_view text) {
  if (!is_valid_utf8(text)) return "(not valid UTF-8)";
  std::string out;
  for (char c : text)
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  if (out.size() > kMaxErrorText) {
    size_t cut = kMaxErrorText;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
      --cut;
    out = out.substr(0, cut) + "…";
  }
  return std::string(trim(out));
}

std::string json_string(const nlohmann::json& body, const char* name) {
  auto found = body.find(name);
  return found != body.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

net::HttpRequest provider_request(std::string url) {
  net::HttpRequest request;
  request.url = std::move(url);
  request.connect_timeout = std::chrono::seconds(5);
  request.total_timeout = std::chrono::seconds(10);
  request.headers = {{"Accept", "application/json"}};
  return request;
}

nlohmann::json fetch_json(const std::string& url, const std::string& what,
                          const std::string& bearer) {
  net::HttpRequest request = provider_request(url);
  if (!bearer.empty()) request.headers.emplace_back("Authorization", "Bearer " + bearer);
  net::HttpResponse response = net::HttpClient().send(request);
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status == 200 && body.is_object()) return body;
  std::string said = body.is_object() ? oauth_error_text(body) : std::string();
  throw Error(ErrorKind::kSource, what + " at " + url + " answered HTTP " +
                                      std::to_string(response.status) +
                                      (said.empty() ? "" : " (" + said + ")"));
}

std::string oauth_error_text(std::string_view code, std::string_view description) {
  if (code.empty()) return {};
  std::string text = bounded_text(code);
  std::string detail = bounded_text(description);
  return detail.empty() ? text : text + ": " + detail;
}

std::string oauth_error_text(const nlohmann::json& body) {
  return oauth_error_text(json_string(body, "error"), json_string(body, "error_description"));
}

}  // namespace da::auth::oidc
