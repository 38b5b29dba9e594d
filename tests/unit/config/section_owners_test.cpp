#include "da/config/section_owners.hpp"

#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/config/instance_config_loader.hpp"

namespace da::config {
namespace {

ConfigLoadResult parse(std::string_view yaml, const SectionOwners& owners) {
  return parse_instance_config(
      yaml, "instance.yaml", "/srv/instance/config",
      [](const std::string&) { return std::nullopt; }, &owners);
}

std::vector<std::string> formatted(const std::vector<Diagnostic>& items) {
  std::vector<std::string> result;
  for (const Diagnostic& item : items)
    result.push_back(item.format());
  return result;
}

// A module's reader: `weather.city` is required and `weather.days` is 1..7.
void check_weather(const InstanceConfig& config, Diagnostics& diagnostics) {
  NodeReader section = config.section_reader("weather", diagnostics);
  section.warn_unknown_keys({"city", "days"});
  section.require("city");
  section.integer("days", 3, 1, 7);
}

void check_weather_differently(const InstanceConfig&, Diagnostics&) {}

TEST(SectionOwners, AModulesProblemsAreReportedWithFileAndLineNextToTheCoresOwn) {
  SectionOwners owners;
  owners.claim("weather", check_weather);
  ConfigLoadResult loaded = parse(
      "sync:\n  compression: rar\n"
      "weather:\n  days: 30\n  colour: blue\n",
      owners);
  std::vector<std::string> errors = formatted(loaded.diagnostics.errors());
  ASSERT_EQ(errors.size(), 3u) << testing::PrintToString(errors);
  EXPECT_NE(errors[0].find("instance.yaml:2: sync.compression"), std::string::npos);
  EXPECT_NE(errors[1].find("instance.yaml:4: weather.city: is required"), std::string::npos)
      << errors[1];
  EXPECT_NE(errors[2].find("instance.yaml:4: weather.days"), std::string::npos) << errors[2];
  EXPECT_EQ(formatted(loaded.diagnostics.warnings()),
            std::vector<std::string>{"instance.yaml:5: weather.colour: unknown key (ignored)"});
}

TEST(SectionOwners, AnAbsentSectionIsCheckedAsEmptyAtTheTopOfTheFile) {
  SectionOwners owners;
  owners.claim("weather", check_weather);
  ConfigLoadResult loaded = parse("instance:\n  name: Acme\n", owners);
  EXPECT_EQ(formatted(loaded.diagnostics.errors()),
            std::vector<std::string>{"instance.yaml:1: weather.city: is required"});
}

TEST(SectionOwners, ASectionNoModuleClaimsIsKeptAndWarnedAbout) {
  SectionOwners owners;
  ConfigLoadResult loaded = parse("instance:\n  name: Acme\nweathr:\n  city: Prague\n", owners);
  EXPECT_FALSE(loaded.diagnostics.has_errors());
  ASSERT_EQ(loaded.config.sections.count("weathr"), 1u);
  EXPECT_EQ(loaded.config.sections.at("weathr").node.find("city")->scalar, "Prague");
  EXPECT_EQ(formatted(loaded.diagnostics.warnings()),
            std::vector<std::string>{"instance.yaml:3: weathr: unknown key (ignored)"});
}

TEST(SectionOwners, SecretsOfASectionNoModuleClaimsAreStillRedacted) {
  SectionOwners owners;
  parse("future:\n  api_token: unclaimed-token-0123456789\n  city: Prague-unredacted\n", owners);
  EXPECT_EQ(log::redact("token unclaimed-token-0123456789 city Prague-unredacted"),
            "token *** city Prague-unredacted");
}

TEST(SectionOwners, CoreSectionsAreNotHeldForModulesAndCannotBeClaimed) {
  SectionOwners owners;
  ConfigLoadResult loaded = parse("sync:\n  threads: 2\n", owners);
  EXPECT_TRUE(loaded.config.sections.empty());
  EXPECT_THROW(owners.claim("sync", check_weather), Error);
}

TEST(SectionOwners, ClaimingASectionAgainWithTheSameReaderIsHarmlessButNotWithAnother) {
  SectionOwners owners;
  owners.claim("weather", check_weather);
  owners.claim("weather", check_weather);
  EXPECT_TRUE(owners.claims("weather"));
  EXPECT_THROW(owners.claim("weather", check_weather_differently), Error);
  ConfigLoadResult loaded = parse("weather:\n  city: Prague\n", owners);
  EXPECT_TRUE(loaded.diagnostics.all().empty());
}

}  // namespace
}  // namespace da::config
