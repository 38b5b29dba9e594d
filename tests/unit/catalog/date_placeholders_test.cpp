#include "da/catalog/date_placeholders.hpp"

#include <gtest/gtest.h>

namespace da::catalog {
namespace {

using namespace std::chrono;

TEST(DatePlaceholders, ResolveAgainstTheGivenDay) {
  sys_days today = sys_days{year{2026} / March / 10};
  EXPECT_EQ(resolve_date_placeholders("{{today}}", today), "2026-03-10");
  EXPECT_EQ(resolve_date_placeholders(">= {{last_week}}", today), ">= 2026-03-03");
  EXPECT_EQ(resolve_date_placeholders("{{last_month}}", today), "2026-02-08");
  EXPECT_EQ(resolve_date_placeholders("{{last_2_months}}", today), "2026-01-09");
  EXPECT_EQ(resolve_date_placeholders("{{last_3_months}}", today), "2025-12-10");
  EXPECT_EQ(resolve_date_placeholders("{{last_6_months}}", today), "2025-09-11");
  EXPECT_EQ(resolve_date_placeholders("{{last_year}}", today), "2025-03-10");
  EXPECT_EQ(resolve_date_placeholders("{{last_2_years}}", today), "2024-03-10");
  EXPECT_EQ(resolve_date_placeholders("{{tomorrow}}", today), "{{tomorrow}}");
}

TEST(DatePlaceholders, ListsUnknownOnes) {
  EXPECT_EQ(unknown_placeholders("{{today}} {{tomorrow}}"),
            (std::vector<std::string>{"{{tomorrow}}"}));
  EXPECT_TRUE(unknown_placeholders("plain").empty());
}

}  // namespace
}  // namespace da::catalog
