// The OpenID Connect settings: the old auth.google_* keys are the `google` preset of
// auth.oidc, and each spelling reports what is missing with its key path.
#include "oidc/oidc_settings.hpp"

#include <gtest/gtest.h>

#include "da/config/instance_config_loader.hpp"

namespace da::auth::oidc {
namespace {

struct Read {
  std::optional<OidcSettings> settings;
  config::Diagnostics diagnostics;
  bool has_error(const std::string& text) const {
    for (const auto& item : diagnostics.errors())
      if (item.format().find(text) != std::string::npos) return true;
    return false;
  }
};

Read read(const std::string& auth_yaml) {
  auto load = config::parse_instance_config("auth:\n" + auth_yaml, "instance.yaml", "/srv/config",
                                            [](const std::string&) { return std::nullopt; });
  EXPECT_FALSE(load.diagnostics.has_errors()) << load.diagnostics.errors().front().format();
  Read result;
  result.settings = read_oidc_settings(load.config.auth, result.diagnostics);
  return result;
}

TEST(OidcSettings, NoClientIdMeansSignInIsNotOffered) {
  Read result = read("  allowed_domain: example.com\n  oidc: {client_id: ''}\n");
  EXPECT_FALSE(result.settings);
  EXPECT_FALSE(result.diagnostics.has_errors());
}

TEST(OidcSettings, TheGoogleKeysAreTheGooglePreset) {
  Read result = read("  google_client_id: id.apps\n  google_client_secret: s3cret-value\n");
  ASSERT_TRUE(result.settings);
  EXPECT_EQ(result.settings->preset, "google");
  EXPECT_EQ(result.settings->client_id, "id.apps");
  EXPECT_EQ(result.settings->discovery_url,
            "https://accounts.google.com/.well-known/openid-configuration");
  EXPECT_EQ(result.settings->prompt, "select_account");
  EXPECT_EQ(result.settings->name, "Google");
}

TEST(OidcSettings, TheGoogleKeysPointedElsewhereAreAGenericProvider) {
  Read result = read(
      "  google_client_id: portal\n  google_client_secret: s3cret-value\n"
      "  google_discovery_url: https://id.example.com/.well-known/openid-configuration\n");
  ASSERT_TRUE(result.settings);
  EXPECT_EQ(result.settings->preset, "");
  EXPECT_EQ(result.settings->prompt, "");
  EXPECT_EQ(result.settings->name, "single sign-on");
  EXPECT_EQ(result.settings->discovery_url,
            "https://id.example.com/.well-known/openid-configuration");
}

TEST(OidcSettings, AGenericProviderSendsNoPromptUnlessConfigured) {
  Read result = read(
      "  oidc:\n    client_id: portal\n    client_secret: s3cret-value\n"
      "    discovery_url: https://id.example.com/.well-known/openid-configuration\n");
  ASSERT_TRUE(result.settings);
  EXPECT_EQ(result.settings->preset, "");
  EXPECT_EQ(result.settings->prompt, "");
  EXPECT_EQ(result.settings->name, "single sign-on");
}

TEST(OidcSettings, ThePresetsDefaultsCanBeChanged) {
  Read result = read(
      "  oidc:\n    preset: google\n    client_id: id.apps\n    client_secret: s3cret-value\n"
      "    prompt: ''\n    name: Acme Google\n");
  ASSERT_TRUE(result.settings);
  EXPECT_EQ(result.settings->discovery_url,
            "https://accounts.google.com/.well-known/openid-configuration");
  EXPECT_EQ(result.settings->prompt, "");
  EXPECT_EQ(result.settings->name, "Acme Google");
}

TEST(OidcSettings, MissingPartsAreErrorsWithTheirKeyPath) {
  EXPECT_TRUE(read("  google_client_id: id.apps\n")
                  .has_error("auth.google_client_secret: is required because "
                             "auth.google_client_id is set"));
  Read generic = read("  oidc: {client_id: portal}\n");
  EXPECT_TRUE(generic.has_error("auth.oidc.client_secret: is required"));
  EXPECT_TRUE(generic.has_error("auth.oidc.discovery_url: is required"));
  EXPECT_TRUE(read("  oidc: {client_id: a, client_secret: b, preset: azure}\n")
                  .has_error("auth.oidc.preset: must be 'google' or absent"));
}

TEST(OidcSettings, BothSpellingsAtOnceAreAnError) {
  Read result = read(
      "  google_client_id: id.apps\n  google_client_secret: s3cret-value\n"
      "  oidc: {client_id: portal, client_secret: other, discovery_url: https://x.example}\n");
  EXPECT_TRUE(result.has_error("set either auth.oidc or auth.google_client_id, not both"));
}

}  // namespace
}  // namespace da::auth::oidc
