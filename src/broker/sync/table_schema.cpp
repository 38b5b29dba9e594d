#include "da/sync/table_schema.hpp"

#include <regex>

#include <fmt/core.h>

namespace da::sync {

namespace {

struct IntegerType {
  const char* name;
  int bits;
  bool is_signed;
};

constexpr IntegerType kIntegers[] = {
    {"TINYINT", 8, true},     {"SMALLINT", 16, true},  {"INTEGER", 32, true},
    {"BIGINT", 64, true},     {"HUGEINT", 128, true},  {"UTINYINT", 8, false},
    {"USMALLINT", 16, false}, {"UINTEGER", 32, false}, {"UBIGINT", 64, false},
};

const IntegerType* find_integer(const std::string& type) {
  for (const IntegerType& integer : kIntegers) {
    if (type == integer.name) return &integer;
  }
  return nullptr;
}

// The smallest integer type holding both; a signed type needs twice an unsigned one's bits.
std::string integer_supertype(const IntegerType& a, const IntegerType& b) {
  bool is_signed = a.is_signed || b.is_signed;
  auto needed = [&](const IntegerType& t) {
    return is_signed && !t.is_signed ? t.bits * 2 : t.bits;
  };
  int bits = std::max(needed(a), needed(b));
  for (const IntegerType& candidate : kIntegers) {
    if (candidate.is_signed == is_signed && candidate.bits >= bits) return candidate.name;
  }
  return "HUGEINT";
}

struct Decimal {
  int precision;
  int scale;
};

std::optional<Decimal> parse_decimal(const std::string& type) {
  static const std::regex pattern("^DECIMAL\\((\\d+),\\s*(\\d+)\\)$");
  std::smatch match;
  if (!std::regex_match(type, match, pattern)) return std::nullopt;
  return Decimal{std::stoi(match[1]), std::stoi(match[2])};
}

bool is_timestamp(const std::string& type) {
  return type == "TIMESTAMP" || type == "TIMESTAMP_NS" || type == "TIMESTAMP_MS" ||
         type == "TIMESTAMP_S";
}

}  // namespace

std::optional<std::string> common_supertype(const std::string& a, const std::string& b) {
  if (a == b) return a;
  if (a == "NULL") return b;
  if (b == "NULL") return a;
  const IntegerType* integer_a = find_integer(a);
  const IntegerType* integer_b = find_integer(b);
  if (integer_a && integer_b) return integer_supertype(*integer_a, *integer_b);
  bool numeric_a = integer_a || a == "FLOAT" || a == "DOUBLE";
  bool numeric_b = integer_b || b == "FLOAT" || b == "DOUBLE";
  if (numeric_a && numeric_b) return std::string("DOUBLE");
  auto decimal_a = parse_decimal(a);
  auto decimal_b = parse_decimal(b);
  if (decimal_a && decimal_b) {
    int scale = std::max(decimal_a->scale, decimal_b->scale);
    int integer_digits =
        std::max(decimal_a->precision - decimal_a->scale, decimal_b->precision - decimal_b->scale);
    if (integer_digits + scale > 38) return std::nullopt;
    return fmt::format("DECIMAL({},{})", integer_digits + scale, scale);
  }
  if ((a == "DATE" && is_timestamp(b)) || (b == "DATE" && is_timestamp(a))) {
    return is_timestamp(a) ? a : b;
  }
  return std::nullopt;
}

SchemaChange merge_schemas(const TableSchema& published, const TableSchema& incoming) {
  SchemaChange change;
  change.merged = published;
  for (SchemaColumn& column : change.merged.columns) {
    const SchemaColumn* other = incoming.find(column.name);
    if (other == nullptr || other->type == column.type) continue;
    auto wider = common_supertype(column.type, other->type);
    if (!wider) {
      change.conflicts.push_back({column.name, column.type, other->type});
    } else if (*wider != column.type) {
      change.widened.push_back(column.name + ": " + column.type + " -> " + *wider);
      column.type = *wider;
    }
  }
  for (const SchemaColumn& column : incoming.columns) {
    if (published.find(column.name) != nullptr) continue;
    change.added.push_back(column.name);
    change.merged.columns.push_back(column);
  }
  return change;
}

}  // namespace da::sync
