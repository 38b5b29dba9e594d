#include "da/identity/desktop_settings.hpp"

#include <gtest/gtest.h>

#include "da/common/log.hpp"
#include "da/config/instance_config_loader.hpp"

namespace da::identity {
namespace {

config::InstanceConfig load(std::string_view yaml) {
  return config::parse_instance_config(yaml, "instance.yaml", "/srv/da/config",
                                       [](const std::string&) { return std::nullopt; })
      .config;
}

TEST(DesktopSettings, WithoutASectionTheDesktopAppIsOffUnderTheDefaultNames) {
  DesktopSettings settings = DesktopSettings::from(load("instance: {name: x}\n"));
  EXPECT_EQ(settings.jwt_issuer, "data-analyst");
  EXPECT_EQ(settings.url_scheme, "data-analyst");
  EXPECT_EQ(settings.jwt_secret, "");
}

TEST(DesktopSettings, ReadsItsKeysAndRedactsTheSecret) {
  DesktopSettings settings =
      DesktopSettings::from(load("desktop:\n  jwt_issuer: acme\n  url_scheme: acme-da\n"
                                 "  jwt_secret: desktop-secret-0123456789abcdef0123456789\n"));
  EXPECT_EQ(settings.jwt_issuer, "acme");
  EXPECT_EQ(settings.url_scheme, "acme-da");
  EXPECT_EQ(settings.jwt_secret, "desktop-secret-0123456789abcdef0123456789");
  EXPECT_EQ(log::redact("desktop-secret-0123456789abcdef0123456789"), "***");
}

TEST(DesktopSettings, AWrongShapeIsAnErrorAndATypoAWarningWithTheirLines) {
  config::Diagnostics diagnostics;
  DesktopSettings::read(load("desktop:\n  jwt_issuer: [a, b]\n  jwt_secrett: x\n"), diagnostics);
  ASSERT_EQ(diagnostics.errors().size(), 1u);
  EXPECT_NE(diagnostics.errors()[0].format().find("instance.yaml:2: desktop.jwt_issuer"),
            std::string::npos)
      << diagnostics.errors()[0].format();
  ASSERT_EQ(diagnostics.warnings().size(), 1u);
  EXPECT_EQ(diagnostics.warnings()[0].format(),
            "instance.yaml:3: desktop.jwt_secrett: unknown key (ignored)");
}

}  // namespace
}  // namespace da::identity
