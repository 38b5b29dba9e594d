#include "da/catalog/table_config.hpp"

#include <array>
#include <utility>

namespace da::catalog {

namespace {

template <typename Enum, size_t N>
std::optional<Enum> lookup(const std::array<std::pair<const char*, Enum>, N>& names,
                           std::string_view text) {
  for (const auto& [name, value] : names) {
    if (text == name) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
const char* name_of(const std::array<std::pair<const char*, Enum>, N>& names, Enum value) {
  for (const auto& [name, candidate] : names) {
    if (candidate == value) return name;
  }
  return "?";
}

constexpr std::array<std::pair<const char*, SyncStrategy>, 3> kStrategies{{
    {"full_refresh", SyncStrategy::kFullRefresh},
    {"incremental", SyncStrategy::kIncremental},
    {"partitioned", SyncStrategy::kPartitioned},
}};
constexpr std::array<std::pair<const char*, PartitionGranularity>, 3> kGranularities{{
    {"day", PartitionGranularity::kDay},
    {"month", PartitionGranularity::kMonth},
    {"year", PartitionGranularity::kYear},
}};
constexpr std::array<std::pair<const char*, FilterOperator>, 6> kOperators{{
    {"eq", FilterOperator::kEq},
    {"ne", FilterOperator::kNe},
    {"gt", FilterOperator::kGt},
    {"ge", FilterOperator::kGe},
    {"lt", FilterOperator::kLt},
    {"le", FilterOperator::kLe},
}};
constexpr std::array<std::pair<const char*, BadValuePolicy>, 2> kBadValuePolicies{{
    {"fail", BadValuePolicy::kFail},
    {"null", BadValuePolicy::kNull},
}};

}  // namespace

const char* to_string(SyncStrategy strategy) {
  return name_of(kStrategies, strategy);
}
const char* to_string(PartitionGranularity granularity) {
  return name_of(kGranularities, granularity);
}
const char* to_string(FilterOperator op) {
  return name_of(kOperators, op);
}
const char* to_string(BadValuePolicy policy) {
  return name_of(kBadValuePolicies, policy);
}

std::optional<SyncStrategy> parse_sync_strategy(std::string_view text) {
  return lookup(kStrategies, text);
}
std::optional<PartitionGranularity> parse_partition_granularity(std::string_view text) {
  return lookup(kGranularities, text);
}
std::optional<FilterOperator> parse_filter_operator(std::string_view text) {
  return lookup(kOperators, text);
}
std::optional<BadValuePolicy> parse_bad_value_policy(std::string_view text) {
  return lookup(kBadValuePolicies, text);
}

bool TableConfig::is_partitioned() const {
  return strategy == SyncStrategy::kPartitioned ||
         (strategy == SyncStrategy::kIncremental && partition_by.has_value());
}

std::string TableConfig::bucket() const {
  size_t dot = id.rfind('.');
  return dot == std::string::npos ? id : id.substr(0, dot);
}

}  // namespace da::catalog
