#include "da/notify/script_result.hpp"

#include <nlohmann/json.hpp>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::notify {

namespace {

using Json = nlohmann::json;

Json last_object(std::string_view output) {
  Json whole = Json::parse(output, nullptr, false);
  if (whole.is_object()) return whole;
  std::string text(output);
  std::size_t end = text.size();
  while (end > 0) {
    std::size_t start = text.rfind('\n', end - 1);
    start = start == std::string::npos ? 0 : start + 1;
    std::string_view line = trim(std::string_view(text).substr(start, end - start));
    if (!line.empty()) {
      Json parsed = Json::parse(line, nullptr, false);
      if (parsed.is_object()) return parsed;
    }
    if (start == 0) break;
    end = start - 1;
  }
  return Json();
}

std::string optional_text(const Json& object, const char* key) {
  if (!object.contains(key) || object[key].is_null()) return "";
  if (!object[key].is_string())
    throw Error(ErrorKind::kData, std::string("\"") + key + "\" must be a string");
  return object[key].get<std::string>();
}

}  // namespace

std::optional<std::chrono::seconds> parse_cooldown(std::string_view text) {
  text = trim(text);
  if (text.size() < 2) return std::nullopt;
  char unit = text.back();
  std::string_view digits = text.substr(0, text.size() - 1);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos || digits.size() > 6)
    return std::nullopt;
  int64_t count = std::stoll(std::string(digits));
  if (count < 1) return std::nullopt;
  switch (unit) {
    case 'm': return std::chrono::seconds(count * 60);
    case 'h': return std::chrono::seconds(count * 3600);
    case 'd': return std::chrono::seconds(count * 86400);
    default: return std::nullopt;
  }
}

ScriptResult parse_script_output(std::string_view output) {
  if (trim(output).empty()) throw Error(ErrorKind::kData, "the script printed nothing");
  Json object = last_object(output);
  if (!object.is_object())
    throw Error(ErrorKind::kData, "the script did not print a JSON object (its last line was '" +
                                      std::string(trim(output)).substr(0, 120) + "')");
  if (!object.contains("notify") || !object["notify"].is_boolean())
    throw Error(ErrorKind::kData, "\"notify\" must be true or false");
  ScriptResult result;
  result.notify = object["notify"].get<bool>();
  result.title = optional_text(object, "title");
  result.message = optional_text(object, "message");
  std::string image = optional_text(object, "image_path");
  if (!image.empty()) result.image_path = image;
  if (object.contains("cooldown") && object["cooldown"].is_string())
    result.cooldown = parse_cooldown(object["cooldown"].get<std::string>())
                          .value_or(std::chrono::seconds(3600));
  return result;
}

}  // namespace da::notify
