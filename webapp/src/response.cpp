#include "da/web/response.hpp"

#include <nlohmann/json.hpp>

namespace da::web {

namespace {

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace

Response& Response::set_header(std::string name, std::string value) {
  for (auto& [key, existing] : headers) {
    if (same_name(key, name)) {
      existing = std::move(value);
      return *this;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Response& Response::add_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::string_view Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (same_name(key, name)) return value;
  return {};
}

namespace {

Response with_body(int status, std::string body, const char* content_type) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.set_header("Content-Type", content_type);
  return response;
}

}  // namespace

Response Response::json(int status, const nlohmann::json& body) {
  return with_body(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                   "application/json");
}

Response Response::html(int status, std::string body) {
  return with_body(status, std::move(body), "text/html; charset=utf-8");
}

Response Response::text(int status, std::string body) {
  return with_body(status, std::move(body), "text/plain; charset=utf-8");
}

Response Response::redirect(std::string location, int status) {
  Response response;
  response.status = status;
  response.set_header("Location", std::move(location));
  return response;
}

Response Response::json_error(int status, std::string_view message) {
  return json(status, nlohmann::json{{"error", message}});
}

const char* status_reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 416:
      return "Range Not Satisfiable";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

}  // namespace da::web
