#include "da/config/interpolation.hpp"

#include <map>

#include <gtest/gtest.h>

#include "da/common/error.hpp"

namespace da::config {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

TEST(Interpolation, ReplacesVariablesAndDefaults) {
  EnvLookup env = fake_env({{"HOST", "db.local"}, {"EMPTY", ""}});
  EXPECT_EQ(interpolate("postgres://${HOST}:5432", env).value, "postgres://db.local:5432");
  EXPECT_EQ(interpolate("${MISSING:-fallback}", env).value, "fallback");
  EXPECT_EQ(interpolate("${EMPTY:-fallback}", env).value, "fallback");
  EXPECT_EQ(interpolate("${HOST:-fallback}", env).value, "db.local");
  EXPECT_EQ(interpolate("${MISSING:-}", env).value, "");
  EXPECT_EQ(interpolate("cost: $$5 ${HOST}", env).value, "cost: $5 db.local");
  EXPECT_EQ(interpolate("no vars, $ alone", env).value, "no vars, $ alone");
}

TEST(Interpolation, ReportsUnsetVariables) {
  Interpolated result = interpolate("${A}-${B:-b}-${C}", fake_env({}));
  EXPECT_EQ(result.value, "-b-");
  EXPECT_EQ(result.unset, (std::vector<std::string>{"A", "C"}));
}

TEST(Interpolation, RejectsMalformedReferences) {
  EXPECT_THROW(interpolate("${UNCLOSED", fake_env({})), Error);
  EXPECT_THROW(interpolate("${not-a-name}", fake_env({})), Error);
  EXPECT_THROW(interpolate("${}", fake_env({})), Error);
}

TEST(Interpolation, TreeKeepsTheRawTextAndReportsPaths) {
  YamlNode root = parse_yaml("a:\n  b: ${X}\n  c:\n    - ${Y}\n", "f.yaml");
  Diagnostics diagnostics;
  interpolate_tree(root, fake_env({{"X", "1"}}), "f.yaml", diagnostics);
  EXPECT_EQ(root.find("a")->find("b")->scalar, "1");
  EXPECT_EQ(root.find("a")->find("b")->raw, "${X}");
  ASSERT_EQ(diagnostics.warnings().size(), 1u);
  EXPECT_EQ(diagnostics.warnings()[0].format(),
            "f.yaml:4: a.c[0]: environment variable Y is not set");
}

}  // namespace
}  // namespace da::config
