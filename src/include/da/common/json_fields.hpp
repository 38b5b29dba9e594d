// Typed reading of a JSON object that came from outside (an HTTP body, a WebSocket message,
// another program's answer): a field of the wrong type or a missing required field becomes a
// da::Error naming the field, never a library exception thrown past the caller's handlers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "da/common/error.hpp"

namespace da {

class JsonFields {
 public:
  // Reads `object`, which must outlive this reader. Throws Error(`kind`) when it is not a JSON
  // object. `prefix` names where the object sits ("settings") in messages about its fields.
  explicit JsonFields(const nlohmann::json& object, ErrorKind kind = ErrorKind::kRequest,
                      std::string prefix = {});

  // Whether the field is present and not null.
  bool has(std::string_view name) const;

  // Required fields: Error when absent, null or of another type.
  std::string string(std::string_view name) const;
  int64_t integer(std::string_view name) const;

  // Optional fields: absent or null gives the fallback (or nullopt); another type is an Error.
  std::string string_or(std::string_view name, std::string fallback) const;
  std::optional<std::string> optional_string(std::string_view name) const;
  std::optional<int64_t> optional_integer(std::string_view name) const;
  bool boolean_or(std::string_view name, bool fallback) const;

  // A nested object's fields, named "<prefix>.<name>" in messages. Required.
  JsonFields object(std::string_view name) const;
  // A nested object or array as is (type-checked); nullptr when absent or null.
  const nlohmann::json* optional_object(std::string_view name) const;
  const nlohmann::json* optional_array(std::string_view name) const;

  // "field 'a.b': <problem>" as an Error of this reader's kind.
  [[noreturn]] void fail(std::string_view name, const std::string& problem) const;

 private:
  const nlohmann::json* find(std::string_view name) const;
  const nlohmann::json& required(std::string_view name, nlohmann::json::value_t type,
                                 const char* type_name) const;

  const nlohmann::json& object_;
  ErrorKind kind_;
  std::string prefix_;
};

// Parses `text` as a JSON object. Throws Error(`kind`) saying the text is not JSON or not an
// object; `what` names the text ("the request body").
nlohmann::json parse_json_object(std::string_view text, std::string_view what,
                                 ErrorKind kind = ErrorKind::kRequest);

}  // namespace da
