#include "da/registry/table_registry.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/catalog/data_description_writer.hpp"
#include "da/common/error.hpp"
#include "da/store/state_store.hpp"

namespace da::registry {
namespace {

using testing::TempDir;

constexpr const char* kCustomers =
    "id: in.c-crm.customers\nname: customers\ndescription: People\nprimary_key: id\nsync_strategy: "
    "full_refresh\n";
constexpr const char* kOrders =
    "id: in.c-crm.orders\nname: orders\ndescription: Orders\nprimary_key: "
    "[order_id]\nsync_strategy: incremental\n"
    "incremental_window_days: 14\npartition_by: created_at\npartition_granularity: month\n"
    "foreign_keys: [{column: customer_id, references: customers.id}]\n";

class RegistryTest : public ::testing::Test {
 protected:
  TempDir dir_;
  store::StateStore store_{dir_ / "state.db"};
  TableRegistry registry_{store_.database()};

  template <typename Action>
  static Error error_of(Action action) {
    try {
      action();
    } catch (const Error& e) {
      return e;
    }
    return Error(ErrorKind::kInternal, "no error");
  }
};

TEST_F(RegistryTest, StartsEmptyAtVersionZero) {
  RegistrySnapshot snapshot = registry_.snapshot();
  EXPECT_EQ(snapshot.version, 0);
  EXPECT_TRUE(snapshot.tables.empty());
}

TEST_F(RegistryTest, RegistersUpdatesAndUnregistersWithVersionsAndAudit) {
  EXPECT_EQ(registry_.register_table(kCustomers, "customers.yml", "ann@acme.com"), 1);
  EXPECT_EQ(registry_.register_table(kOrders, "orders.yml", "ann@acme.com", 1), 2);
  RegistrySnapshot snapshot = registry_.snapshot();
  ASSERT_EQ(snapshot.tables.size(), 2u);
  EXPECT_EQ(snapshot.tables[1].table.incremental_window_days, 14);
  EXPECT_EQ(snapshot.tables[0].registered_by, "ann@acme.com");

  EXPECT_EQ(registry_.update_table("in.c-crm.orders",
                                   {{"description", "All orders"},
                                    {"primary_key", "[order_id, line]"},
                                    {"partition_granularity", std::nullopt}},
                                   "bob@acme.com"),
            3);
  RegistrySnapshot updated = registry_.snapshot();
  const RegisteredTable* orders = updated.find("in.c-crm.orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->table.description, "All orders");
  EXPECT_EQ(orders->table.primary_key, (std::vector<std::string>{"order_id", "line"}));
  EXPECT_EQ(orders->table.partition_granularity,
            catalog::PartitionGranularity::kMonth);  // back to the default
  EXPECT_EQ(orders->updated_by, "bob@acme.com");

  EXPECT_EQ(registry_.unregister_table("in.c-crm.customers", "bob@acme.com"), 4);
  EXPECT_EQ(registry_.snapshot().tables.size(), 1u);

  auto audit = registry_.audit(std::nullopt, 10);
  ASSERT_EQ(audit.size(), 4u);
  EXPECT_EQ(audit[0].action, "unregister");
  EXPECT_EQ(audit[0].actor, "bob@acme.com");
  EXPECT_EQ(audit[0].version, 4);
  EXPECT_TRUE(audit[0].before->find("name: customers") != std::string::npos);
  EXPECT_FALSE(audit[0].after);
  EXPECT_EQ(audit[1].action, "update");
  EXPECT_NE(audit[1].before->find("description: Orders"), std::string::npos);
  EXPECT_NE(audit[1].after->find("description: All orders"), std::string::npos);
  EXPECT_EQ(registry_.audit(std::string("in.c-crm.orders"), 10).size(), 2u);
}

TEST_F(RegistryTest, EveryOperationValidatesAndNamesTheProblem) {
  registry_.register_table(kCustomers, "customers.yml", "ann");
  Error duplicate = error_of([&] { registry_.register_table(kCustomers, "again.yml", "ann"); });
  EXPECT_EQ(duplicate.kind(), ErrorKind::kConflict);
  EXPECT_NE(std::string(duplicate.what()).find("'in.c-crm.customers' is already registered"),
            std::string::npos);

  Error invalid = error_of([&] {
    registry_.register_table("id: a.b.c\nname: c\nsync_strategy: weekly\n", "c.yml", "ann");
  });
  EXPECT_EQ(invalid.kind(), ErrorKind::kConfig);
  EXPECT_NE(std::string(invalid.what()).find("c.yml:3: sync_strategy: invalid value 'weekly'"),
            std::string::npos)
      << invalid.what();

  Error cross_field = error_of([&] {
    registry_.update_table("in.c-crm.customers", {{"sync_strategy", "partitioned"}}, "ann");
  });
  EXPECT_NE(
      std::string(cross_field.what()).find("partition_by: is required for partitioned tables"),
      std::string::npos);
  Error bad_value = error_of([&] {
    registry_.update_table("in.c-crm.customers", {{"incremental_window_days", "soon"}}, "ann");
  });
  EXPECT_NE(std::string(bad_value.what()).find("incremental_window_days: expected an integer"),
            std::string::npos);
  Error same_name = error_of([&] {
    registry_.register_table("id: in.c-crm.people\nname: customers\nsync_strategy: full_refresh\n",
                             "p.yml", "ann");
  });
  EXPECT_NE(
      std::string(same_name.what()).find("name 'customers' is already used in folder 'in.c-crm'"),
      std::string::npos);
  EXPECT_EQ(error_of([&] {
              registry_.update_table("in.c-crm.customers", {{"id", "x.y.z"}}, "ann");
            }).kind(),
            ErrorKind::kConfig);
  EXPECT_EQ(error_of([&] { registry_.unregister_table("nope", "ann"); }).kind(),
            ErrorKind::kNotFound);
  EXPECT_EQ(error_of([&] {
              registry_.update_table("nope", {{"name", "x"}}, "ann");
            }).kind(),
            ErrorKind::kNotFound);
  EXPECT_EQ(registry_.snapshot().version, 1);  // nothing of the failed changes stuck
  EXPECT_EQ(registry_.audit(std::nullopt, 10).size(), 1u);
}

TEST_F(RegistryTest, AStaleExpectedVersionIsAConflict) {
  registry_.register_table(kCustomers, "c.yml", "ann");
  Error conflict = error_of([&] { registry_.unregister_table("in.c-crm.customers", "bob", 0); });
  EXPECT_EQ(conflict.kind(), ErrorKind::kConflict);
  EXPECT_NE(std::string(conflict.what()).find("version conflict: expected 0, current 1"),
            std::string::npos);
  EXPECT_EQ(registry_.snapshot().tables.size(), 1u);
}

TEST_F(RegistryTest, FolderMappingIsVersionedAndAudited) {
  registry_.register_table(kCustomers, "c.yml", "ann");
  EXPECT_EQ(registry_.map_folder("in.c-crm", "crm", "ann"), 2);
  EXPECT_EQ(registry_.snapshot().description().folder_of(registry_.snapshot().tables[0].table),
            "crm");
  EXPECT_EQ(registry_.unmap_folder("in.c-crm", "ann"), 3);
  auto audit = registry_.audit(std::string("in.c-crm"), 10);
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[1].action, "map_folder");
  EXPECT_EQ(audit[1].after, "in.c-crm: crm");
  EXPECT_EQ(audit[0].before, "in.c-crm: crm");
}

TEST_F(RegistryTest, GeneratedDataDescriptionParsesBackToTheSameTables) {
  registry_.register_table(kCustomers, "c.yml", "ann");
  registry_.register_table(kOrders, "o.yml", "ann");
  registry_.map_folder("in.c-crm", "crm", "ann");
  RegistrySnapshot snapshot = registry_.snapshot();
  write_data_description(snapshot, dir_ / "docs");
  catalog::DataDescriptionLoad load = catalog::load_data_description(dir_ / "docs");
  ASSERT_FALSE(load.diagnostics.has_errors());
  EXPECT_TRUE(load.diagnostics.warnings().empty());
  ASSERT_EQ(load.description.tables.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(catalog::render_table_yaml(load.description.tables[i]),
              snapshot.tables[i].definition);
  }
  EXPECT_EQ(load.description.folder_mapping.at("in.c-crm"), "crm");
  std::string text = testing::read_text(dir_ / "docs/data_description.md");
  EXPECT_NE(text.find("(version 3, 2 tables)"), std::string::npos);

  // A hand edit is noticed through the checksum.
  size_t at = text.find("description: People");
  text.replace(at, 19, "description: Persons");
  dir_.write("docs/data_description.md", text);
  catalog::DataDescriptionLoad edited = catalog::load_data_description(dir_ / "docs");
  ASSERT_EQ(edited.diagnostics.warnings().size(), 1u);
  EXPECT_NE(edited.diagnostics.warnings()[0].message.find("edited by hand"), std::string::npos);
}

TEST_F(RegistryTest, ImportsTheOriginalsExampleFile) {
  std::string example =
      "# Data Description\n\n```yaml\nfolder_mapping:\n  in.c-example: example\n\ntables:\n"
      "  - id: \"in.c-example.customers\"\n    name: \"customers\"\n    description: \"Customer "
      "master data\"\n"
      "    primary_key: \"id\"\n    sync_strategy: \"full_refresh\"\n\n"
      "  - id: \"in.c-example.orders\"\n    name: \"orders\"\n    description: \"Order "
      "transactions\"\n"
      "    primary_key: \"id\"\n    sync_strategy: \"incremental\"\n    incremental_window_days: "
      "7\n"
      "    partition_by: \"created_at\"\n    partition_granularity: \"month\"\n```\n";
  auto load = catalog::parse_data_description({{"data_description.md.example", example}});
  ASSERT_FALSE(load.diagnostics.has_errors());
  EXPECT_EQ(registry_.import(load.description, "data_description.md.example", "migration", false),
            1);
  RegistrySnapshot snapshot = registry_.snapshot();
  EXPECT_EQ(snapshot.tables.size(), 2u);
  EXPECT_EQ(snapshot.migrated_from, "data_description.md.example");
  EXPECT_EQ(snapshot.folder_mapping.at("in.c-example"), "example");
  EXPECT_EQ(
      error_of([&] { registry_.import(load.description, "again", "migration", false); }).kind(),
      ErrorKind::kConflict);
  EXPECT_EQ(registry_.import(load.description, "again", "migration", true), 2);
  EXPECT_EQ(registry_.audit(std::nullopt, 10)[0].action, "import");
}

// Two processes change the registry at once from the same version: one wins, the other gets a
// conflict; and without an expected version both changes are kept.
TEST_F(RegistryTest, ConcurrentWritersInTwoProcessesLoseNothing) {
  registry_.register_table(kCustomers, "c.yml", "ann");
  auto in_children = [&](auto change) {
    std::vector<pid_t> children;
    for (int child = 0; child < 2; ++child) {
      pid_t pid = ::fork();
      if (pid == 0) {
        try {
          store::StateStore store(dir_ / "state.db");
          TableRegistry registry(store.database());
          change(registry, child);
          ::_exit(0);
        } catch (const Error& e) {
          ::_exit(e.kind() == ErrorKind::kConflict ? 3 : 4);
        }
      }
      children.push_back(pid);
    }
    std::vector<int> codes;
    for (pid_t pid : children) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      codes.push_back(WEXITSTATUS(status));
    }
    std::sort(codes.begin(), codes.end());
    return codes;
  };
  auto versioned = in_children([](TableRegistry& registry, int child) {
    registry.update_table("in.c-crm.customers",
                          {{"description", "by child " + std::to_string(child)}}, "child", 1);
  });
  EXPECT_EQ(versioned, (std::vector<int>{0, 3}));
  EXPECT_EQ(registry_.snapshot().version, 2);

  auto unversioned = in_children([](TableRegistry& registry, int child) {
    if (child == 0) {
      registry.update_table("in.c-crm.customers", {{"incremental_window_days", "3"}}, "child");
    } else {
      registry.map_folder("in.c-crm", "crm", "child");
    }
  });
  EXPECT_EQ(unversioned, (std::vector<int>{0, 0}));
  RegistrySnapshot snapshot = registry_.snapshot();
  EXPECT_EQ(snapshot.version, 4);
  EXPECT_EQ(snapshot.tables[0].table.incremental_window_days, 3);
  EXPECT_EQ(snapshot.folder_mapping.at("in.c-crm"), "crm");
}

}  // namespace
}  // namespace da::registry
