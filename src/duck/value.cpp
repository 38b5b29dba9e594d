#include "da/duck/value.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::duck {

namespace {

[[noreturn]] void cannot_convert(const Value& value, const char* target) {
  throw Error(ErrorKind::kData, "cannot read " + value.to_string() + " as " + target);
}

std::string format_double(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return ec == std::errc() ? std::string(buffer, end) : std::to_string(value);
}

}  // namespace

bool Value::as_bool() const {
  switch (kind()) {
    case Kind::kBool:
      return std::get<bool>(data_);
    case Kind::kInt:
      return std::get<int64_t>(data_) != 0;
    case Kind::kUInt:
      return std::get<uint64_t>(data_) != 0;
    case Kind::kText: {
      std::string lower = to_lower(std::get<std::string>(data_));
      if (lower == "true") return true;
      if (lower == "false") return false;
      break;
    }
    default:
      break;
  }
  cannot_convert(*this, "a boolean");
}

int64_t Value::as_int() const {
  switch (kind()) {
    case Kind::kBool:
      return std::get<bool>(data_) ? 1 : 0;
    case Kind::kInt:
      return std::get<int64_t>(data_);
    case Kind::kUInt: {
      uint64_t value = std::get<uint64_t>(data_);
      if (value <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(value);
      break;
    }
    case Kind::kDouble: {
      double value = std::get<double>(data_);
      if (std::trunc(value) == value && std::abs(value) < 9.2e18)
        return static_cast<int64_t>(value);
      break;
    }
    case Kind::kText: {
      const std::string& text = std::get<std::string>(data_);
      int64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec == std::errc() && end == text.data() + text.size()) return value;
      break;
    }
    default:
      break;
  }
  cannot_convert(*this, "an integer");
}

double Value::as_double() const {
  switch (kind()) {
    case Kind::kBool:
      return std::get<bool>(data_) ? 1 : 0;
    case Kind::kInt:
      return static_cast<double>(std::get<int64_t>(data_));
    case Kind::kUInt:
      return static_cast<double>(std::get<uint64_t>(data_));
    case Kind::kDouble:
      return std::get<double>(data_);
    case Kind::kText: {
      const std::string& text = std::get<std::string>(data_);
      char* end = nullptr;
      double value = std::strtod(text.c_str(), &end);
      if (!text.empty() && end == text.c_str() + text.size()) return value;
      break;
    }
    default:
      break;
  }
  cannot_convert(*this, "a number");
}

std::string Value::to_string() const {
  switch (kind()) {
    case Kind::kNull:
      return "NULL";
    case Kind::kBool:
      return std::get<bool>(data_) ? "true" : "false";
    case Kind::kInt:
      return std::to_string(std::get<int64_t>(data_));
    case Kind::kUInt:
      return std::to_string(std::get<uint64_t>(data_));
    case Kind::kDouble:
      return format_double(std::get<double>(data_));
    case Kind::kText:
      return std::get<std::string>(data_);
  }
  return {};
}

const std::string& Value::text() const {
  if (kind() != Kind::kText) cannot_convert(*this, "text");
  return std::get<std::string>(data_);
}

}  // namespace da::duck
