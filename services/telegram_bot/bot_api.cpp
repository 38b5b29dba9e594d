#include "bot_api.hpp"

#include "da/common/crypto.hpp"
#include "da/common/log.hpp"
#include "da/net/http_client.hpp"

namespace da::services::telegram_bot {

namespace {

nlohmann::json result_of(const net::HttpResponse& response) {
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status == 200 && body.is_object() && body.value("ok", false))
    return body.contains("result") ? body["result"] : nlohmann::json();
  std::string description = body.is_object() ? body.value("description", "") : "";
  if (description.empty()) description = "HTTP " + std::to_string(response.status);
  std::optional<int> retry_after;
  if (body.is_object() && body.contains("parameters") && body["parameters"].is_object() &&
      body["parameters"].contains("retry_after") && body["parameters"]["retry_after"].is_number())
    retry_after = body["parameters"]["retry_after"].get<int>();
  throw BotApiError(static_cast<int>(response.status), description, retry_after);
}

// The call's result; a failure to reach Telegram at all is status 0.
nlohmann::json send(const net::HttpRequest& request) {
  net::HttpResponse response;
  try {
    response = net::HttpClient().send(request);
  } catch (const Error& e) {
    throw BotApiError(0, e.what(), std::nullopt);
  }
  return result_of(response);
}

}  // namespace

BotApi::BotApi(std::string api_url, std::string token)
    : api_url_(std::move(api_url)), token_(std::move(token)) {
  while (!api_url_.empty() && api_url_.back() == '/') api_url_.pop_back();
  log::add_secret(token_);
}

std::string BotApi::url(const std::string& method) const {
  return api_url_ + "/bot" + token_ + "/" + method;
}

nlohmann::json BotApi::call(const std::string& method, const nlohmann::json& parameters,
                            std::chrono::seconds timeout) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = url(method);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = parameters.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  request.total_timeout = timeout;
  return send(request);
}

nlohmann::json BotApi::send_photo(int64_t chat_id, const std::string& bytes,
                                  const std::string& filename, const std::string& caption,
                                  const std::string& parse_mode) {
  std::string boundary = "da-" + random_token(18);
  std::string body;
  auto field = [&](const std::string& name, const std::string& value) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
            value + "\r\n";
  };
  field("chat_id", std::to_string(chat_id));
  if (!caption.empty()) field("caption", caption);
  if (!parse_mode.empty()) field("parse_mode", parse_mode);
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"" +
          filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + bytes + "\r\n--" +
          boundary + "--\r\n";
  net::HttpRequest request;
  request.method = "POST";
  request.url = url("sendPhoto");
  request.headers = {{"Content-Type", "multipart/form-data; boundary=" + boundary}};
  request.body = std::move(body);
  request.total_timeout = std::chrono::seconds(60);
  return send(request);
}

}  // namespace da::services::telegram_bot
