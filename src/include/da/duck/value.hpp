// One value read from (or bound into) DuckDB.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace da::duck {

// Integers, floating point, booleans and text map to their own kind; DECIMAL, HUGEINT,
// DATE, TIME, TIMESTAMP, UUID, ENUM and INTERVAL are read as text in DuckDB's own format
// (so DECIMAL keeps every digit).
class Value {
 public:
  enum class Kind { kNull, kBool, kInt, kUInt, kDouble, kText };

  Value() = default;
  Value(bool value) : data_(value) {}
  Value(int value) : data_(static_cast<int64_t>(value)) {}
  Value(int64_t value) : data_(value) {}
  Value(uint64_t value) : data_(value) {}
  Value(double value) : data_(value) {}
  Value(std::string value) : data_(std::move(value)) {}
  Value(std::string_view value) : data_(std::string(value)) {}
  Value(const char* value) : data_(std::string(value)) {}

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }

  // Conversions throw Error(kData) when the value cannot be represented (or is NULL).
  bool as_bool() const;
  int64_t as_int() const;
  double as_double() const;
  // The text form of any value; "NULL" for NULL.
  std::string to_string() const;
  // The text of a kText value; throws Error(kData) for other kinds.
  const std::string& text() const;

  bool operator==(const Value& other) const = default;

 private:
  std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string> data_;
};

}  // namespace da::duck
