// da init asks and writes what a connector's setup declares, knowing no connector itself: a fake
// connector registered in a test registry gets its questions asked and its lines written.
#include "init/init_answers.hpp"

#include <algorithm>
#include <deque>

#include "init/instance_files.hpp"
#include "support/expect_error.hpp"
#include <gtest/gtest.h>

#include "da/module/module_registry.hpp"
#include "da/sync/data_source_registry.hpp"

namespace da::commands::init {
void register_module(ModuleRegistry& registry);  // the init command's, generated for the build
namespace {

// Answers from a script; remembers what was asked.
class ScriptedPrompter : public Prompter {
 public:
  explicit ScriptedPrompter(std::deque<std::string> answers) : answers_(std::move(answers)) {}
  std::string ask(const std::string& question, const std::string& default_value) override {
    asked.push_back(question + " [" + default_value + "]");
    std::string answer = next();
    return answer.empty() ? default_value : answer;
  }
  std::string ask_secret(const std::string& question) override {
    asked.push_back(question + " (secret)");
    return next();
  }
  void tell(const std::string& text) override { told.push_back(text); }
  std::vector<std::string> asked;
  std::vector<std::string> told;

 private:
  std::string next() {
    if (answers_.empty()) throw Error(ErrorKind::kConfig, "the script has no more answers");
    std::string answer = answers_.front();
    answers_.pop_front();
    return answer;
  }
  std::deque<std::string> answers_;
};

sync::SourceSetup fake_setup() {
  sync::SourceSetup setup;
  setup.questions = {
      {"fake-host", "Fake host", "Host of the fake", "fake.example.com", false, false, "",
       [](std::string& value) -> std::optional<std::string> {
         if (value.find('.') == std::string::npos) return "a host has a dot";
         return std::nullopt;
       }},
      {"fake-key", "Fake key", "Key of the fake", "", true, true, "FAKE_KEY",
       [](std::string& value) -> std::optional<std::string> {
         if (value.empty()) return "the key must not be empty";
         return std::nullopt;
       }}};
  setup.yaml_lines = [](const sync::SetupAnswers& answers) -> std::vector<sync::SetupYamlLine> {
    return {{"  fake:", "the fake's settings"},
            {"    host: " + answers.at("fake-host"), ""},
            {"    key: ${FAKE_KEY}", "in .env"}};
  };
  setup.env_prefix = "FAKE_";
  setup.fix_hint = [](const sync::SetupFiles& files) { return "fix " + files.instance_yaml; };
  return setup;
}

std::unique_ptr<sync::DataSource> no_source(const sync::SourceContext&) {
  return nullptr;
}

// The fake, and a connector without a setup, which init does not offer.
void add_fakes(sync::DataSourceRegistry& sources) {
  sources.add("plain", no_source);
  sources.add("fake", no_source, fake_setup());
}

cli::Arguments arguments(std::map<std::string, std::string> values) {
  cli::Arguments result;
  for (auto& [key, value] : values)
    result.set_values(key, {value});
  return result;
}

config::EnvLookup environment(std::map<std::string, std::string> variables) {
  return [variables](const std::string& name) -> std::optional<std::string> {
    auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

TEST(InitSetup, AsksTheQuestionsOfTheChosenConnectorOnATerminal) {
  sync::DataSourceRegistry sources;
  add_fakes(sources);
  ScriptedPrompter prompter({"acme.com", "", "", "nodot", "host.example.org", "k-1"});
  InitAnswers answers = gather_answers(arguments({}), environment({}), sources, &prompter);
  EXPECT_EQ(
      prompter.asked,
      (std::vector<std::string>{
          "Company domain (who may sign in, e.g. acme.com) []", "Data source type (fake) [fake]",
          "Instance name [Acme Data Analyst]", "Host of the fake [fake.example.com]",
          "Host of the fake [fake.example.com]", "Key of the fake (secret)"}));
  EXPECT_EQ(prompter.told, std::vector<std::string>{"  a host has a dot"});
  EXPECT_EQ(answers.source, "fake");
  EXPECT_EQ(answers.settings,
            (sync::SetupAnswers{{"fake-host", "host.example.org"}, {"fake-key", "k-1"}}));
  EXPECT_EQ(setup_secrets(answers, *sources.setup("fake")),
            (std::map<std::string, std::string>{{"FAKE_KEY", "k-1"}}));
}

TEST(InitSetup, TakesTheConnectorsValuesFromFlagsAndItsVariables) {
  sync::DataSourceRegistry sources;
  add_fakes(sources);
  InitAnswers answers = gather_answers(arguments({{"domain", "acme.com"}, {"source", " FAKE "}}),
                                       environment({{"FAKE_KEY", "from-env"}}), sources, nullptr);
  EXPECT_EQ(answers.source, "fake");
  EXPECT_EQ(answers.settings,
            (sync::SetupAnswers{{"fake-host", "fake.example.com"}, {"fake-key", "from-env"}}));

  std::string missing = testing::thrown_message(ErrorKind::kConfig, [&] {
    gather_answers(arguments({{"domain", "acme.com"}, {"source", "fake"}}), environment({}),
                   sources, nullptr);
  });
  EXPECT_NE(missing.find("--fake-key (or the environment variable FAKE_KEY) is required"),
            std::string::npos)
      << missing;
  std::string invalid = testing::thrown_message(ErrorKind::kConfig, [&] {
    gather_answers(arguments({{"domain", "acme.com"}, {"source", "fake"}, {"fake-host", "x"}}),
                   environment({{"FAKE_KEY", "k"}}), sources, nullptr);
  });
  EXPECT_EQ(invalid, "--fake-host: a host has a dot");
  std::string unknown = testing::thrown_message(ErrorKind::kConfig, [&] {
    gather_answers(arguments({{"domain", "acme.com"}, {"source", "plain"}}), environment({}),
                   sources, nullptr);
  });
  EXPECT_EQ(unknown, "--source: the source type must be fake, not 'plain'");
}

TEST(InitSetup, WritesTheConnectorsLinesIntoTheDataSourceSection) {
  sync::DataSourceRegistry sources;
  add_fakes(sources);
  InitAnswers answers;
  answers.domain = "acme.com";
  answers.name = "Acme";
  answers.source = "fake";
  answers.settings = {{"fake-host", "host.example.org"}, {"fake-key", "k-1"}};
  std::string yaml = render_instance_yaml(answers, sources, instance_example());
  EXPECT_NE(yaml.find("\ndata_source:\n"
                      "  type: fake                        # the connector: fake\n"
                      "  fake:                             # the fake's settings\n"
                      "    host: host.example.org\n"
                      "    key: ${FAKE_KEY}                # in .env\n"),
            std::string::npos)
      << yaml;
  EXPECT_EQ(yaml.find("k-1"), std::string::npos) << "secrets stay in .env";
}

TEST(InitSetup, TheCommandDeclaresTheFlagsOfTheRegisteredConnectors) {
  ModuleRegistry registry;
  add_fakes(registry.data_sources);
  register_module(registry);
  const cli::CommandSpec& init = registry.commands.commands().at(0);
  std::vector<std::string> names;
  for (const cli::OptionSpec& option : init.options)
    names.push_back(option.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "--fake-host"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "--fake-key"), names.end());
  EXPECT_EQ(init.options.at(1).help, "Data source type: fake");
}

TEST(InitSetup, TwoConnectorsCannotClaimTheSameFlag) {
  sync::DataSourceRegistry sources;
  add_fakes(sources);
  sources.add("twin", no_source, fake_setup());
  std::string message =
      testing::thrown_message(ErrorKind::kInternal, [&] { setup_options(sources); });
  EXPECT_NE(message.find("--fake-host"), std::string::npos) << message;
}

TEST(InitSetup, EveryConnectorOfTheBuildHasItsFlagsOnTheCommand) {
  ModuleRegistry registry;
  register_all_modules(registry);
  const cli::CommandSpec* init = nullptr;
  for (const cli::CommandSpec& command : registry.commands.commands()) {
    if (command.path == "init") init = &command;
  }
  ASSERT_NE(init, nullptr);
  ASSERT_FALSE(registry.data_sources.setups().empty());
  for (const auto& [type, setup] : registry.data_sources.setups()) {
    for (const sync::SetupQuestion& question : setup->questions) {
      bool declared =
          std::any_of(init->options.begin(), init->options.end(),
                      [&](const cli::OptionSpec& o) { return o.name == "--" + question.key; });
      EXPECT_TRUE(declared) << type << ": --" << question.key
                            << " (connectors must register before commands)";
    }
  }
}

}  // namespace
}  // namespace da::commands::init
