#include "da/web/request.hpp"

#include "da/common/log.hpp"
#include "da/common/strings.hpp"

namespace da::web {

namespace {

constexpr std::string_view kTokenCharacters =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query_string(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> result;
  for (const std::string& part : split(text, '&')) {
    if (part.empty()) continue;
    auto equals = part.find('=');
    if (equals == std::string::npos) {
      result.emplace_back(percent_decode(part, true), "");
    } else {
      result.emplace_back(percent_decode(std::string_view(part).substr(0, equals), true),
                          percent_decode(std::string_view(part).substr(equals + 1), true));
    }
  }
  return result;
}

std::string_view Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (equals_ignore_case(key, name)) return value;
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  for (const auto& [key, value] : query)
    if (key == name) return value;
  return std::nullopt;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key != "cookie") continue;
    for (const std::string& part : split(value, ';')) {
      std::string_view pair = trim(part);
      auto equals = pair.find('=');
      if (equals == std::string_view::npos) continue;
      if (trim(pair.substr(0, equals)) == name) return std::string(trim(pair.substr(equals + 1)));
    }
  }
  return std::nullopt;
}

const std::map<std::string, std::string, std::less<>>& Request::form() const {
  if (!form_) {
    form_.emplace();
    std::string_view type = header("content-type");
    if (type.substr(0, 33) == "application/x-www-form-urlencoded") {
      for (auto& [key, value] : parse_query_string(body))
        form_->emplace(key, value);
    }
  }
  return *form_;
}

std::string Request::form_value(std::string_view name) const {
  const auto& fields = form();
  auto found = fields.find(name);
  return found == fields.end() ? std::string() : found->second;
}

std::string Request::param(std::string_view name) const {
  auto found = params.find(name);
  return found == params.end() ? std::string() : found->second;
}

bool Request::is_api() const {
  return path == "/api" || path.rfind("/api/", 0) == 0;
}

std::string Request::client_ip() const {
  return client_address.empty() ? remote_address : client_address;
}

std::string Request::path_for_log() const {
  std::string shown = path;
  for (const auto& [name, value] : params) {
    if (value.empty() || !log::is_secret_name(name)) continue;
    for (auto at = shown.find(value); at != std::string::npos; at = shown.find(value, at + 3))
      shown.replace(at, value.size(), "***");
  }
  // A path no route matched can still carry a token (an old link): segments that look like one.
  for (std::size_t start = 0; start < shown.size();) {
    std::size_t end = std::min(shown.find('/', start), shown.size());
    std::string_view segment(shown.data() + start, end - start);
    if (segment.size() >= 32 && segment.find_first_not_of(kTokenCharacters) == std::string::npos) {
      shown.replace(start, segment.size(), "***");
      end = start + 3;
    }
    start = end + 1;
  }
  return base_path + shown;
}

std::string safe_local_path(std::string_view next) {
  if (next.empty() || next.front() != '/' || next.size() > 1000) return {};
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return {};
  for (char c : next)
    if (c == '\\' || c == '\r' || c == '\n' || static_cast<unsigned char>(c) < 0x20) return {};
  return std::string(next);
}

}  // namespace da::web
