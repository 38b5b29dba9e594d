#include "init/instance_files.hpp"

#include <gtest/gtest.h>

#include "da/common/dotenv.hpp"
#include "da/common/error.hpp"
#include "da/config/instance_config_loader.hpp"
#include "da/mail/email_settings.hpp"
#include "da/module/module_registry.hpp"

namespace da::commands::init {
namespace {

// The modules of this build.
const ModuleRegistry& modules() {
  static const auto registry = [] {
    auto modules = std::make_unique<ModuleRegistry>();
    register_all_modules(*modules);
    return modules;
  }();
  return *registry;
}

// The sections the modules of this build claim, as `da init` loads what it wrote.
const config::SectionOwners* module_owners() {
  return &modules().config_sections;
}

InitAnswers keboola_answers() {
  InitAnswers answers;
  answers.domain = "acme.com";
  answers.source = "keboola";
  answers.name = "Acme \"Data\" $Analyst";
  answers.settings = {{"keboola-url", "https://connection.eu-central-1.keboola.com"},
                      {"keboola-token", "secret-token"},
                      {"keboola-project", "1234"}};
  return answers;
}

TEST(RenderInstanceYaml, FillsTheEmbeddedExampleAndLoadsWithTheNormalLoader) {
  std::string yaml =
      render_instance_yaml(keboola_answers(), modules().data_sources, instance_example());
  EXPECT_EQ(yaml.find("secret-token"), std::string::npos);
  EXPECT_NE(yaml.find("# the portal's public URL"), std::string::npos) << "comments are kept";
  config::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "KEBOOLA_STORAGE_TOKEN") return "secret-token";
    return std::nullopt;
  };
  auto loaded =
      config::parse_instance_config(yaml, "instance.yaml", "/srv/da/config", env, module_owners());
  EXPECT_FALSE(loaded.diagnostics.has_errors()) << loaded.diagnostics.errors()[0].format();
  EXPECT_TRUE(loaded.diagnostics.warnings().empty());
  const config::InstanceConfig& config = loaded.config;
  EXPECT_EQ(config.instance.name, "Acme \"Data\" $Analyst");
  const mail::EmailSettings email = mail::EmailSettings::from(config);
  EXPECT_EQ(email.from_name, "Acme \"Data\" $Analyst");
  EXPECT_EQ(email.from_address, "noreply@acme.com");
  EXPECT_EQ(config.auth.allowed_domains, std::vector<std::string>{"acme.com"});
  EXPECT_EQ(config.server.hostname, "data.acme.com");
  EXPECT_EQ(config.data_source.type, "keboola");
  const config::YamlNode& settings = config.data_source.settings;
  EXPECT_EQ(settings.find("storage_token")->scalar, "secret-token");
  EXPECT_EQ(settings.find("stack_url")->scalar, "https://connection.eu-central-1.keboola.com");
  EXPECT_EQ(settings.find("project_id")->scalar, "1234");
}

TEST(RenderInstanceYaml, CsvSectionNamesTheFolder) {
  InitAnswers answers;
  answers.domain = "acme.com";
  answers.source = "csv";
  answers.name = "Acme";
  answers.settings = {{"csv-dir", "/srv/incoming"}};
  std::string yaml = render_instance_yaml(answers, modules().data_sources, instance_example());
  auto loaded = config::parse_instance_config(
      yaml, "instance.yaml", "/srv/da/config", [](const std::string&) { return std::nullopt; },
      module_owners());
  EXPECT_FALSE(loaded.diagnostics.has_errors());
  EXPECT_EQ(loaded.config.data_source.type, "csv");
  EXPECT_EQ(loaded.config.data_source.settings.find("base_dir")->scalar, "/srv/incoming");
  EXPECT_EQ(loaded.config.data_source.settings.find("keboola"), nullptr);
}

TEST(RenderInstanceYaml, AnExampleWithoutAnExpectedLineIsAnInternalError) {
  EXPECT_THROW(
      render_instance_yaml(keboola_answers(), modules().data_sources, "instance:\n  subtitle: x\n"),
      Error);
}

TEST(MergeDotenv, ReplacesPrefixedKeysAndKeepsEverythingElse) {
  std::string merged = merge_dotenv(
      "# comment\nexport OTHER='a b'\nKEBOOLA_STORAGE_TOKEN=old\nKEBOOLA_STACK_URL=x\n\n", ".env",
      {{"KEBOOLA_STORAGE_TOKEN", "new"}, {"WEBAPP_SECRET_KEY", "k y"}}, "KEBOOLA_");
  EXPECT_EQ(merged,
            "# comment\nexport OTHER='a b'\nKEBOOLA_STORAGE_TOKEN=new\nWEBAPP_SECRET_KEY='k y'\n");
  auto parsed = parse_dotenv(merged, ".env");
  EXPECT_EQ(parsed["OTHER"], "a b");
  EXPECT_EQ(parsed["WEBAPP_SECRET_KEY"], "k y");
}

TEST(MergeDotenv, StartsANewFileWithAComment) {
  EXPECT_EQ(merge_dotenv("", ".env", {{"A", "1"}}, ""),
            "# Secrets of this instance, read by da. Never commit this file.\nA=1\n");
}

TEST(MergeDotenv, RefusesWhatCannotBeWrittenWithoutRepeatingIt) {
  try {
    merge_dotenv("", ".env", {{"A", "it's\nsecret"}}, "");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << e.what();
  }
  EXPECT_THROW(merge_dotenv("not a line\n", ".env", {}, ""), Error);
}

}  // namespace
}  // namespace da::commands::init
