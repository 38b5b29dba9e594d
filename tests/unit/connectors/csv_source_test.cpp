#include "csv/csv_source.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/config/instance_config_loader.hpp"
#include "da/module/module_registry.hpp"
#include "da/sync/data_source_registry.hpp"

namespace da::connectors::csv {
namespace {

using da::testing::TempDir;

config::InstanceConfig instance(const TempDir& dir, const std::string& csv_section) {
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  config::ConfigLoadResult loaded = config::parse_instance_config(
      "data_source:\n  type: csv\n  csv:\n" + csv_section, "instance.yaml", dir / "config", env);
  loaded.diagnostics.throw_if_errors("bad test config");
  return loaded.config;
}

std::unique_ptr<sync::DataSource> create(const config::InstanceConfig& config) {
  ModuleRegistry registry;
  register_all_modules(registry);
  return registry.data_sources.create(config);
}

catalog::TableConfig table(const std::string& name,
                           std::optional<std::string> source = std::nullopt) {
  catalog::TableConfig t;
  t.id = "in.c-x." + name;
  t.name = name;
  t.source = std::move(source);
  return t;
}

TEST(CsvSource, ResolvesPathTemplatesAndGlobsInBaseDir) {
  TempDir dir;
  dir.write("in/orders.csv", "id\n1\n");
  dir.write("in/events/2024-02.csv.gz", "x");
  dir.write("in/events/2024-01.csv.gz", "x");
  auto config = instance(dir, "    base_dir: in\n    path_template: '{name}.csv'\n");
  auto csv = create(config);
  sync::StagingArea staging(dir / "staging");
  auto orders = csv->extract({table("orders"), std::nullopt, std::nullopt, {}, false}, staging);
  ASSERT_EQ(orders.files.size(), 1u);
  EXPECT_EQ(orders.files[0].path, dir / "in/orders.csv");
  EXPECT_EQ(orders.files[0].size, 5);
  auto events = csv->extract(
      {table("events", "events/*.csv.gz"), std::nullopt, std::nullopt, {}, false}, staging);
  ASSERT_EQ(events.files.size(), 2u);
  EXPECT_EQ(events.files[0].path.filename(), "2024-01.csv.gz");
}

TEST(CsvSource, IncrementalExtractsSkipUnchangedFiles) {
  TempDir dir;
  dir.write("in/t-1.csv", "id\n1\n");
  dir.write("in/t-2.csv", "id\n2\n");
  auto csv = create(instance(dir, "    base_dir: in\n    path_template: '{name}-*.csv'\n"));
  sync::StagingArea staging(dir / "staging");
  auto first = csv->extract({table("t"), std::nullopt, std::nullopt, {}, true}, staging);
  EXPECT_EQ(first.files.size(), 2u);
  dir.write("in/t-3.csv", "id\n3\n");
  auto second =
      csv->extract({table("t"), std::nullopt, std::nullopt, first.fingerprint, true}, staging);
  ASSERT_EQ(second.files.size(), 1u);
  EXPECT_EQ(second.files[0].path.filename(), "t-3.csv");
  EXPECT_EQ(second.fingerprint.size(), 3u);
  auto full =
      csv->extract({table("t"), std::nullopt, std::nullopt, first.fingerprint, false}, staging);
  EXPECT_EQ(full.files.size(), 3u);
}

TEST(CsvSource, MissingFilesAreSourceErrorsNamingThePath) {
  TempDir dir;
  auto csv = create(instance(dir, "    base_dir: in\n"));
  sync::StagingArea staging(dir / "staging");
  try {
    csv->extract({table("nope"), std::nullopt, std::nullopt, {}, false}, staging);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kSource);
    EXPECT_NE(std::string(e.what()).find("in.c-x.nope: source file not found: " +
                                         (dir / "in/nope.csv").string()),
              std::string::npos);
  }
  EXPECT_THROW(csv->extract({table("x", "*.csv"), std::nullopt, std::nullopt, {}, false}, staging),
               Error);
}

TEST(CsvSource, DiscoversFilesWithColumnsAndRowCounts) {
  TempDir dir;
  dir.write("in/customers.csv", "id,name,joined\n1,Ann,2024-01-01\n2,Bob,2024-02-01\n");
  dir.write("in/notes.txt", "not a table");
  auto csv = create(instance(dir, "    base_dir: in\n"));
  auto tables = csv->discover_tables();
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].name, "customers");
  EXPECT_EQ(tables[0].row_count, 2);
  ASSERT_EQ(tables[0].columns.size(), 3u);
  EXPECT_EQ(tables[0].columns[2].name, "joined");
  EXPECT_EQ(tables[0].columns[2].type, "DATE");
}

TEST(CsvSource, DiscoveredFilesThePathTemplateDoesNotNameAreTheirTablesSource) {
  TempDir dir;
  dir.write("in/people.csv", "id\n1\n");
  dir.write("in/my-file.csv", "id\n1\n");
  dir.write("in/orders.tsv", "id\n1\n");
  auto csv = create(instance(dir, "    base_dir: in\n    path_template: '{name}.csv'\n"));
  std::vector<sync::DiscoveredTable> tables = csv->discover_tables();
  ASSERT_EQ(tables.size(), 3u);
  EXPECT_EQ(tables[0].id, "csv.my_file");
  EXPECT_EQ(tables[0].source, "my-file.csv");
  EXPECT_EQ(tables[1].id, "csv.orders");
  EXPECT_EQ(tables[1].source, "orders.tsv");
  EXPECT_EQ(tables[2].id, "csv.people");
  EXPECT_EQ(tables[2].source, "") << "{name}.csv finds it";
}

TEST(CsvSource, SettingsAreValidatedWithKeyPaths) {
  TempDir dir;
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto loaded = config::parse_instance_config(
      "data_source:\n  type: csv\n  csv:\n    delimiter: ';;'\n    encoding: ebcdic\n    bogus: "
      "1\n",
      "instance.yaml", dir / "config", env);
  ModuleRegistry registry;
  register_all_modules(registry);
  config::Diagnostics diagnostics;
  registry.data_sources.check(loaded.config, diagnostics);
  ASSERT_EQ(diagnostics.errors().size(), 2u);
  EXPECT_EQ(diagnostics.errors()[0].format(),
            "instance.yaml:4: data_source.csv.delimiter: must be a single character, found ';;'");
  EXPECT_NE(diagnostics.errors()[1].format().find("instance.yaml:5: data_source.csv.encoding"),
            std::string::npos);
  EXPECT_EQ(diagnostics.warnings()[0].format(),
            "instance.yaml:6: data_source.csv.bogus: unknown key (ignored)");
}

TEST(DataSourceRegistry, UnknownTypeListsTheAvailableConnectors) {
  TempDir dir;
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto loaded = config::parse_instance_config("data_source:\n  type: nonexistent\n",
                                              "instance.yaml", dir / "config", env);
  ModuleRegistry registry;
  register_all_modules(registry);
  try {
    registry.data_sources.create(loaded.config);
    FAIL();
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("Unknown data source: 'nonexistent'. Available connectors: csv"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("connectors/nonexistent/"), std::string::npos);
  }
}

}  // namespace
}  // namespace da::connectors::csv
