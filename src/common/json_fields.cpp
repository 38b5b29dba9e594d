#include "da/common/json_fields.hpp"

namespace da {

namespace {

const char* type_name_of(const nlohmann::json& value) {
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "true or false";
  if (value.is_number()) return "a number";
  if (value.is_array()) return "an array";
  if (value.is_object()) return "an object";
  return "null";
}

}  // namespace

JsonFields::JsonFields(const nlohmann::json& object, ErrorKind kind, std::string prefix)
    : object_(object), kind_(kind), prefix_(std::move(prefix)) {
  if (!object_.is_object())
    throw Error(kind_, (prefix_.empty() ? std::string("the message") : "field '" + prefix_ + "'") +
                           " must be a JSON object, not " + type_name_of(object_));
}

void JsonFields::fail(std::string_view name, const std::string& problem) const {
  std::string path = prefix_.empty() ? std::string(name) : prefix_ + "." + std::string(name);
  throw Error(kind_, "field '" + path + "' " + problem);
}

const nlohmann::json* JsonFields::find(std::string_view name) const {
  auto found = object_.find(name);
  if (found == object_.end() || found->is_null()) return nullptr;
  return &*found;
}

bool JsonFields::has(std::string_view name) const {
  return find(name) != nullptr;
}

const nlohmann::json& JsonFields::required(std::string_view name, nlohmann::json::value_t type,
                                           const char* type_name) const {
  const nlohmann::json* value = find(name);
  if (!value) fail(name, std::string("is required (") + type_name + ")");
  bool matches = type == nlohmann::json::value_t::number_integer
                     ? value->is_number_integer()
                     : value->type() == type;
  if (!matches) fail(name, std::string("must be ") + type_name + ", not " + type_name_of(*value));
  return *value;
}

std::string JsonFields::string(std::string_view name) const {
  return required(name, nlohmann::json::value_t::string, "a string").get<std::string>();
}

int64_t JsonFields::integer(std::string_view name) const {
  const nlohmann::json& value =
      required(name, nlohmann::json::value_t::number_integer, "an integer");
  if (value.is_number_unsigned() && value.get<uint64_t>() > INT64_MAX) fail(name, "is too large");
  return value.get<int64_t>();
}

std::string JsonFields::string_or(std::string_view name, std::string fallback) const {
  return has(name) ? string(name) : std::move(fallback);
}

std::optional<std::string> JsonFields::optional_string(std::string_view name) const {
  if (!has(name)) return std::nullopt;
  return string(name);
}

std::optional<int64_t> JsonFields::optional_integer(std::string_view name) const {
  if (!has(name)) return std::nullopt;
  return integer(name);
}

bool JsonFields::boolean_or(std::string_view name, bool fallback) const {
  if (!has(name)) return fallback;
  return required(name, nlohmann::json::value_t::boolean, "true or false").get<bool>();
}

JsonFields JsonFields::object(std::string_view name) const {
  const nlohmann::json& value = required(name, nlohmann::json::value_t::object, "an object");
  return JsonFields(value, kind_, prefix_.empty() ? std::string(name) : prefix_ + "." + std::string(name));
}

const nlohmann::json* JsonFields::optional_object(std::string_view name) const {
  if (!has(name)) return nullptr;
  return &required(name, nlohmann::json::value_t::object, "an object");
}

const nlohmann::json* JsonFields::optional_array(std::string_view name) const {
  if (!has(name)) return nullptr;
  return &required(name, nlohmann::json::value_t::array, "an array");
}

nlohmann::json parse_json_object(std::string_view text, std::string_view what, ErrorKind kind) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded()) throw Error(kind, std::string(what) + " is not valid JSON");
  if (!value.is_object())
    throw Error(kind, std::string(what) + " must be a JSON object, not " + type_name_of(value));
  return value;
}

}  // namespace da
