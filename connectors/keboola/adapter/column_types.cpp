#include "keboola/adapter/column_types.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "da/common/strings.hpp"

namespace da::connectors::keboola {

namespace {

constexpr int kUserRank = 0;
constexpr int kDefinitionRank = 1;

int provider_rank(const std::string& provider) {
  if (provider == "user") return kUserRank;
  if (provider == "ai-metadata-enrichment") return 2;
  if (provider.find("transformation") != std::string::npos) return 3;
  if (provider == "storage") return 5;
  return 4;
}

std::optional<std::pair<int, int>> precision_scale(const std::string& length) {
  auto parts = split_trimmed(length, ',');
  if (parts.empty() || parts.size() > 2) return std::nullopt;
  try {
    int precision = std::stoi(parts[0]);
    int scale = parts.size() == 2 ? std::stoi(parts[1]) : 0;
    if (precision <= 0 || scale < 0 || scale > precision) return std::nullopt;
    return std::pair{precision, scale};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string exact_number(const std::string& length) {
  auto spec = precision_scale(length);
  if (!spec) return "DOUBLE";
  auto [precision, scale] = *spec;
  if (scale == 0 && precision <= 18) return "BIGINT";
  if (precision > 38) {
    // DuckDB's widest DECIMAL has 38 digits; keep the scale and give up leading digits
    // only when the value needs them (a cast error then names the value).
    return scale == 0 ? "HUGEINT" : "DOUBLE";
  }
  return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
}

struct Candidate {
  int rank = 99;
  std::string type;
  std::string length;
  std::string provider;
};

}  // namespace

std::string duckdb_type_for(const std::string& keboola_type, const std::string& length) {
  std::string type = to_upper(trim(keboola_type));
  std::string spec = length;
  if (auto open = type.find('('); open != std::string::npos) {
    auto close = type.find(')', open);
    if (spec.empty() && close != std::string::npos) spec = type.substr(open + 1, close - open - 1);
    type = std::string(trim(type.substr(0, open)));
  }
  static const std::map<std::string, std::string> kFixed = {
      {"STRING", "VARCHAR"},
      {"VARCHAR", "VARCHAR"},
      {"TEXT", "VARCHAR"},
      {"CHAR", "VARCHAR"},
      {"CHARACTER", "VARCHAR"},
      {"NVARCHAR", "VARCHAR"},
      {"NCHAR", "VARCHAR"},
      {"VARIANT", "VARCHAR"},
      {"OBJECT", "VARCHAR"},
      {"ARRAY", "VARCHAR"},
      {"GEOGRAPHY", "VARCHAR"},
      {"GEOMETRY", "VARCHAR"},
      {"BINARY", "VARCHAR"},
      {"VARBINARY", "VARCHAR"},
      {"JSON", "VARCHAR"},
      {"INTEGER", "BIGINT"},
      {"INT", "BIGINT"},
      {"BIGINT", "BIGINT"},
      {"SMALLINT", "BIGINT"},
      {"TINYINT", "BIGINT"},
      {"BYTEINT", "BIGINT"},
      {"INT64", "BIGINT"},
      {"FLOAT", "DOUBLE"},
      {"FLOAT4", "DOUBLE"},
      {"FLOAT8", "DOUBLE"},
      {"FLOAT64", "DOUBLE"},
      {"DOUBLE", "DOUBLE"},
      {"DOUBLE PRECISION", "DOUBLE"},
      {"REAL", "DOUBLE"},
      {"BOOLEAN", "BOOLEAN"},
      {"BOOL", "BOOLEAN"},
      {"DATE", "DATE"},
      {"TIME", "TIME"},
      {"TIMESTAMP", "TIMESTAMP"},
      {"TIMESTAMP_NTZ", "TIMESTAMP"},
      {"DATETIME", "TIMESTAMP"},
      {"TIMESTAMP_TZ", "TIMESTAMP WITH TIME ZONE"},
      {"TIMESTAMP_LTZ", "TIMESTAMP WITH TIME ZONE"},
      {"TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"}};
  if (type == "NUMERIC" || type == "NUMBER" || type == "DECIMAL" || type == "BIGNUMERIC")
    return exact_number(spec);
  auto found = kFixed.find(type);
  return found == kFixed.end() ? std::string() : found->second;
}

std::string table_description(const TableDetail& table) {
  std::string description;
  int best = 99;
  for (const MetadataEntry& entry : table.metadata) {
    if (entry.key != "KBC.description" || trim(entry.value).empty()) continue;
    int rank = provider_rank(entry.provider);
    if (rank < best) {
      best = rank;
      description = entry.value;
    }
  }
  return description;
}

std::vector<ResolvedColumn> resolve_columns(const TableDetail& table) {
  std::map<std::string, const TypedColumn*> typed;
  for (const TypedColumn& column : table.typed_columns)
    typed[column.name] = &column;
  std::vector<ResolvedColumn> columns;
  for (const std::string& name : table.columns) {
    ResolvedColumn resolved{name, "", "", "", ""};
    Candidate best;
    // Per provider: basetype, type and length.
    std::map<std::string, std::map<std::string, std::string>> by_provider;
    if (auto found = table.column_metadata.find(name); found != table.column_metadata.end()) {
      for (const MetadataEntry& entry : found->second)
        by_provider[entry.provider][entry.key] = entry.value;
    }
    int description_rank = 99;
    for (const auto& [provider, keys] : by_provider) {
      int rank = provider_rank(provider);
      if (auto description = keys.find("KBC.description"); description != keys.end() &&
                                                           !trim(description->second).empty() &&
                                                           rank < description_rank) {
        resolved.description = description->second;
        description_rank = rank;
      }
      std::string type;
      if (auto base = keys.find("KBC.datatype.basetype"); base != keys.end()) type = base->second;
      if (type.empty()) {
        if (auto native = keys.find("KBC.datatype.type"); native != keys.end())
          type = native->second;
      }
      if (type.empty() || rank >= best.rank) continue;
      std::string length;
      if (auto found = keys.find("KBC.datatype.length"); found != keys.end())
        length = found->second;
      best = {rank, type, length, provider};
    }
    if (auto found = typed.find(name); found != typed.end() && best.rank > kDefinitionRank) {
      const TypedColumn& column = *found->second;
      std::string type = column.type.empty() ? column.basetype : column.type;
      if (!type.empty()) best = {kDefinitionRank, type, column.length, "definition"};
    }
    bool storage_default = best.provider == "storage" && table.typed_columns.empty() &&
                           to_upper(best.type) == "STRING";
    if (!best.type.empty() && !storage_default) {
      resolved.duckdb_type = duckdb_type_for(best.type, best.length);
      resolved.source_type =
          to_upper(best.type) + (best.length.empty() ? "" : "(" + best.length + ")");
      resolved.provider = best.provider;
    }
    columns.push_back(std::move(resolved));
  }
  return columns;
}

}  // namespace da::connectors::keboola
