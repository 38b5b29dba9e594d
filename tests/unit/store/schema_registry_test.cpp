#include "da/store/schema_registry.hpp"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "da/common/error.hpp"

namespace da::store {
namespace {

std::vector<std::string> order_of(const SchemaRegistry& registry) {
  std::vector<std::string> order;
  for (const Migration& migration : registry.ordered())
    order.push_back(migration.space + " " + std::to_string(migration.version));
  return order;
}

TEST(SchemaRegistry, AppliesNamespacesAfterThoseTheyDependOnAndOtherwiseByName) {
  SchemaRegistry registry;
  registry.add({"zeta", {}, {{"", 1, "z1", "SELECT 1"}}});
  registry.add(
      {"billing", {"zeta", "accounts"}, {{"", 1, "b1", "SELECT 1"}, {"", 2, "b2", "SELECT 1"}}});
  registry.add({"accounts", {}, {{"", 1, "a1", "SELECT 1"}}});
  EXPECT_EQ(order_of(registry),
            (std::vector<std::string>{"accounts 1", "zeta 1", "billing 1", "billing 2"}));
}

TEST(SchemaRegistry, RefusesATwiceRegisteredNamespaceAndVersionsWithGaps) {
  SchemaRegistry registry;
  registry.add({"a", {}, {{"", 1, "a1", "SELECT 1"}}});
  EXPECT_THROW(registry.add({"a", {}, {}}), Error);
  EXPECT_THROW(registry.add({"b", {}, {{"", 1, "b1", "SELECT 1"}, {"", 3, "b3", "SELECT 1"}}}),
               Error);
  EXPECT_THROW(registry.add({"", {}, {}}), Error);
}

TEST(SchemaRegistry, RefusesAnUnknownDependencyAndACycle) {
  SchemaRegistry unknown;
  unknown.add({"a", {"nobody"}, {}});
  EXPECT_THROW(unknown.ordered(), Error);
  SchemaRegistry cycle;
  cycle.add({"a", {"b"}, {}});
  cycle.add({"b", {"a"}, {}});
  try {
    cycle.ordered();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cycle: a, b"), std::string::npos) << e.what();
  }
}

// Tables that refer to users come after the namespace that creates users.
TEST(SchemaRegistry, TheBuildAppliesEveryNamespaceAfterTheOnesItRefersTo) {
  std::vector<std::string> spaces;
  for (const Migration& migration : state_migrations())
    if (spaces.empty() || spaces.back() != migration.space) spaces.push_back(migration.space);
  EXPECT_EQ(std::set<std::string>(spaces.begin(), spaces.end()).size(), spaces.size())
      << "a namespace's migrations are not contiguous";
  auto position = [&](const std::string& space) {
    return std::find(spaces.begin(), spaces.end(), space) - spaces.begin();
  };
  for (const char* dependent : {"distribution", "notify"})
    EXPECT_LT(position("identity"), position(dependent)) << dependent;
  for (const char* owner : {"accounts", "distribution", "identity", "keboola", "mail", "notify",
                            "registry", "sync", "telegram_bot"})
    EXPECT_LT(position(owner), static_cast<long>(spaces.size())) << owner << " not registered";
}

}  // namespace
}  // namespace da::store
