#include "da/module/module_registry.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "da/common/error.hpp"

namespace da {
namespace {

TEST(ModuleRegistry, EveryModuleFolderIsRegisteredByTheBuild) {
  const auto& names = module_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "da::commands::config"), names.end());
  ModuleRegistry registry;
  register_all_modules(registry);
  const auto& commands = registry.commands.commands();
  EXPECT_TRUE(std::any_of(commands.begin(), commands.end(),
                          [](const cli::CommandSpec& c) { return c.path == "config check"; }));
}

TEST(CommandRegistry, RefusesTwoCommandsWithOnePath) {
  cli::CommandRegistry registry;
  registry.add({"sync", "one", {}, nullptr});
  EXPECT_THROW(registry.add({"sync", "two", {}, nullptr}), Error);
}

TEST(CommandArguments, KeysAndIntegers) {
  EXPECT_EQ(cli::option_key(cli::flag("-n,--dry-run", "")), "dry-run");
  EXPECT_EQ(cli::option_key(cli::positional("TABLE", "")), "table");
  cli::Arguments arguments;
  arguments.set_values("size", {"12"});
  arguments.set_values("name", {"x"});
  EXPECT_EQ(arguments.integer("size"), 12);
  EXPECT_THROW(arguments.integer("name"), Error);
  EXPECT_FALSE(arguments.flag("missing"));
  EXPECT_TRUE(arguments.values("missing").empty());
}

}  // namespace
}  // namespace da
