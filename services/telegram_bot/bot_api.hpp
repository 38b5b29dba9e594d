// The few Telegram Bot API methods the bot uses, over libcurl. Every failure is a BotApiError
// carrying what Telegram said (status, description, retry_after), so that callers can tell a
// message to retry later from one that will never go through. The token is part of every URL
// and is registered with the log redactor: it never appears in a log line.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "da/common/error.hpp"

namespace da::services::telegram_bot {

class BotApiError : public Error {
 public:
  BotApiError(int status, std::string description, std::optional<int> retry_after)
      : Error(status == 401 ? ErrorKind::kAuth : ErrorKind::kSource,
              "Telegram answered " + std::to_string(status) + ": " + description),
        status_(status),
        description_(std::move(description)),
        retry_after_(retry_after) {}
  int status() const { return status_; }  // 0: no answer (network)
  const std::string& description() const { return description_; }
  std::optional<int> retry_after() const { return retry_after_; }
  // Trying again later may work (network, 429, 5xx).
  bool transient() const { return status_ == 0 || status_ == 429 || status_ >= 500; }
  bool bad_markup() const { return description_.find("can't parse entities") != std::string::npos; }

 private:
  int status_;
  std::string description_;
  std::optional<int> retry_after_;
};

class BotApi {
 public:
  // `api_url` like https://api.telegram.org.
  BotApi(std::string api_url, std::string token);

  // Calls `method` with JSON parameters and returns its "result". `timeout` bounds the whole
  // call (long polls add their own wait).
  nlohmann::json call(const std::string& method, const nlohmann::json& parameters,
                      std::chrono::seconds timeout = std::chrono::seconds(30));
  // sendPhoto with the image uploaded as multipart form data.
  nlohmann::json send_photo(int64_t chat_id, const std::string& bytes, const std::string& filename,
                            const std::string& caption, const std::string& parse_mode);

 private:
  std::string url(const std::string& method) const;

  std::string api_url_;
  std::string token_;
};

}  // namespace da::services::telegram_bot
