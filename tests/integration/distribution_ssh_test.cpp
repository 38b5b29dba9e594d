// Distribution over SSH, end to end and as root: `da admin` creates real Linux analysts, a real
// sshd on a loopback port serves them, and `da pull --via ssh` (real rsync) fills workspaces.
// Every test removes the accounts and files it made.
#include "support/process.hpp"
#include "support/random_name.hpp"
#include "support/sshd_server.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>


#include <pwd.h>
#include <sys/stat.h>

#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"
#include "da/identity/user_store.hpp"
#include "da/identity/username.hpp"
#include "da/notify/telegram_links.hpp"
#include "da/store/state_store.hpp"

namespace da {
namespace {

namespace fs = std::filesystem;
using testing::make_client_key;
using testing::ProcessResult;
using testing::read_text;
using testing::run_da;
using testing::run_process;
using testing::SshClientKey;
using testing::SshdServer;
using testing::TempDir;

bool account_exists(const std::string& name) {
  return ::getpwnam(name.c_str()) != nullptr;
}

class DistributionOverSsh : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!testing::sshd_tests_possible(&why)) GTEST_SKIP() << why;
    // mkdtemp made it 0700: analysts must reach the broker's data and their homes below it.
    fs::permissions(dir_.path(), fs::perms(0755));
    broker_ = dir_ / "broker";
    dir_.write("broker/config/instance.yaml",
               "paths:\n  data_dir: ./data\n  docs_dir: ./docs\naccounts:\n  home_root: " +
                   (dir_ / "homes").string() + "\n");
    fs::create_directories(dir_ / "homes");
    dir_.write("broker/docs/data_description.md",
               "```yaml\nfolder_mapping: {in.c-shop: shop, in.c-hr: private}\ntables:\n"
               "  - {id: in.c-shop.orders, name: orders, sync_strategy: full_refresh}\n"
               "  - {id: in.c-shop.customers, name: customers, sync_strategy: full_refresh}\n"
               "  - {id: in.c-hr.salaries, name: salaries, sync_strategy: full_refresh}\n```\n");
    write_table("shop/orders.parquet", "SELECT range AS id, range * 1.5 AS total FROM range(5)");
    write_table("shop/customers.parquet", "SELECT 'c' || range AS name FROM range(3)");
    write_table("private/salaries.parquet", "SELECT 'ceo' AS role, 1000000 AS salary");
    sshd_ = std::make_unique<SshdServer>(dir_ / "sshd");
    fs::create_directories(dir_ / "sshd");
    sshd_->start();
  }

  void TearDown() override {
    if (sshd_) sshd_->stop();
    for (const std::string& name : created_) {
      if (!account_exists(name)) continue;
      run_process({"userdel", "-f", name});
    }
    for (const std::string& name : created_)
      EXPECT_FALSE(account_exists(name)) << name << " was left behind";
  }

  void write_table(const std::string& relative, const std::string& query) {
    fs::path file = broker_ / "data" / "parquet" / relative;
    fs::create_directories(file.parent_path());
    duck::Database database;
    duck::Connection(database).execute("COPY (" + query + ") TO " + duck::quote_path(file) +
                                       " (FORMAT parquet)");
  }

  ProcessResult admin(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"--config", (broker_ / "config").string(), "admin"});
    return run_da(arguments);
  }

  // A new analyst account (and its portal user); returns its name.
  std::string add_analyst(const std::string& label, bool privileged) {
    std::string email = testing::random_name("dt") + "@example.com";
    std::string name = identity::derive_username(email);
    created_.push_back(name);
    keys_[name] = make_client_key(dir_.path(), name);
    {
      store::StateStore store(broker_ / "data" / "state.db");
      identity::UserStore(store.database()).ensure(email, {});
    }
    std::vector<std::string> arguments = {"add-analyst", name, keys_[name].public_key};
    if (privileged) arguments.push_back("--private");
    auto added = admin(arguments);
    EXPECT_EQ(added.exit_code, 0) << label << ": " << added.out << added.err;
    EXPECT_EQ(added.out.find("not written"), std::string::npos) << added.out;
    sshd_->write_client_config(dir_ / (name + ".ssh_config"), "broker", name,
                               keys_[name].private_key);
    return name;
  }

  ProcessResult pull(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> arguments = {"pull", (dir_ / ("ws-" + name)).string(), "--via",
                                          "ssh", "--host", "broker", "--ssh-config",
                                          (dir_ / (name + ".ssh_config")).string()};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return run_da(arguments);
  }

  ProcessResult query(const std::string& name, const std::string& sql) {
    return run_da({"query", "--workspace", (dir_ / ("ws-" + name)).string(), "--format", "csv",
                   sql});
  }

  fs::path workspace(const std::string& name) { return dir_ / ("ws-" + name); }

  TempDir dir_;
  fs::path broker_;
  std::unique_ptr<SshdServer> sshd_;
  std::vector<std::string> created_;
  std::map<std::string, SshClientKey> keys_;
};

TEST_F(DistributionOverSsh, PrivateTablesReachOnlyPrivilegedAnalysts) {
  std::string standard = add_analyst("standard", false);
  std::string privileged = add_analyst("privileged", true);

  auto pulled = pull(standard);
  ASSERT_EQ(pulled.exit_code, 0) << pulled.out << pulled.err << sshd_->log();
  EXPECT_TRUE(fs::exists(workspace(standard) / "server/parquet/shop/orders.parquet"));
  EXPECT_TRUE(fs::exists(workspace(standard) / "server/docs/data_description.md"));
  EXPECT_FALSE(fs::exists(workspace(standard) / "server/parquet/private"));
  EXPECT_EQ(fs::status(workspace(standard) / "server/parquet/shop/orders.parquet").permissions(),
            fs::perms(0444));
  auto counted = query(standard, "SELECT count(*) AS n FROM orders");
  ASSERT_EQ(counted.exit_code, 0) << counted.err;
  EXPECT_EQ(counted.out, "n\n5\n");
  EXPECT_NE(query(standard, "SELECT * FROM salaries").exit_code, 0);

  // Not only the filter: the file system keeps a standard analyst out of private/.
  auto forced = run_process({"ssh", "-F", (dir_ / (standard + ".ssh_config")).string(), "broker",
                             "cat", "server/parquet/private/salaries.parquet"});
  EXPECT_NE(forced.exit_code, 0);
  EXPECT_NE(forced.err.find("Permission denied"), std::string::npos) << forced.err;

  pulled = pull(privileged);
  ASSERT_EQ(pulled.exit_code, 0) << pulled.out << pulled.err;
  auto salaries = query(privileged, "SELECT salary FROM private.salaries");
  ASSERT_EQ(salaries.exit_code, 0) << salaries.err;
  EXPECT_EQ(salaries.out, "salary\n1000000\n");

  // Through the original's command name (server/bin/list-analysts).
  testing::ProcessOptions wrapper;
  wrapper.env = {{"DA_BIN", DA_BINARY}, {"DA_CONFIG_DIR", (broker_ / "config").string()}};
  auto listed = run_process({"sh", std::string(DA_SOURCE_DIR) + "/server/bin/list-analysts"}, wrapper);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(standard), std::string::npos) << listed.out;
  std::string line = listed.out.substr(listed.out.find(privileged));
  line = line.substr(0, line.find('\n'));
  EXPECT_NE(line.find("Privileged"), std::string::npos) << listed.out;
}

TEST_F(DistributionOverSsh, ASubscriptionChangeReachesTheNextPullAndItsViews) {
  std::string name = add_analyst("analyst", false);
  ASSERT_EQ(pull(name).exit_code, 0);
  ASSERT_EQ(query(name, "SELECT count(*) AS n FROM orders").exit_code, 0);
  {
    store::StateStore store(broker_ / "data" / "state.db");
    auto user = identity::UserStore(store.database()).find_by_username(name);
    ASSERT_TRUE(user);
    store.database()
        .prepare(
            "INSERT INTO user_selections (user_id, datasets, table_mode, tables, updated_at) "
            "VALUES (?, '{}', 'explicit', '{\"customers\": true}', 0)")
        .bind_all(user->id)
        .run();
  }
  auto filters = admin({"sync-filters", name});
  ASSERT_EQ(filters.exit_code, 0) << filters.err;
  auto pulled = pull(name);
  ASSERT_EQ(pulled.exit_code, 0) << pulled.out << pulled.err;
  EXPECT_FALSE(fs::exists(workspace(name) / "server/parquet/shop/orders.parquet"));
  EXPECT_TRUE(fs::exists(workspace(name) / "server/parquet/shop/customers.parquet"));
  EXPECT_NE(query(name, "SELECT count(*) FROM orders").exit_code, 0) << "the view was not dropped";
  EXPECT_EQ(query(name, "SELECT count(*) AS n FROM customers").out, "n\n3\n");

  // Nothing changed since: the pull says so and leaves the views alone.
  pulled = pull(name);
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  EXPECT_NE(pulled.out.find("nothing changed"), std::string::npos) << pulled.out;
  EXPECT_NE(pulled.out.find("views unchanged"), std::string::npos) << pulled.out;
}

TEST_F(DistributionOverSsh, PushBacksUpUserFilesAndNeverDeletesOnTheServer) {
  std::string name = add_analyst("analyst", false);
  ASSERT_EQ(pull(name).exit_code, 0);
  dir_.write("ws-" + name + "/user/scripts/report.sql", "SELECT 1;\n");
  dir_.write("ws-" + name + "/CLAUDE.local.md", "# my notes\n");
  auto pushed = pull(name, {"--push"});
  ASSERT_EQ(pushed.exit_code, 0) << pushed.out << pushed.err;
  fs::path home = dir_ / "homes" / name;
  EXPECT_EQ(read_text(home / "user/scripts/report.sql"), "SELECT 1;\n");
  EXPECT_EQ(read_text(home / "CLAUDE.local.md"), "# my notes\n");
  struct stat info {};
  ASSERT_EQ(::lstat((home / "user/scripts/report.sql").c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, ::getpwnam(name.c_str())->pw_uid);

  fs::remove(workspace(name) / "user/scripts/report.sql");
  ASSERT_EQ(pull(name, {"--push"}).exit_code, 0);
  EXPECT_TRUE(fs::exists(home / "user/scripts/report.sql")) << "a push deleted a server copy";
}

TEST_F(DistributionOverSsh, ARemovedAnalystCanNoLongerPullAndTheDataStays) {
  std::string name = add_analyst("analyst", false);
  ASSERT_EQ(pull(name).exit_code, 0);
  {
    store::StateStore store(broker_ / "data" / "state.db");
    auto user = identity::UserStore(store.database()).find_by_username(name);
    notify::TelegramLinks links(store.database());
    ASSERT_TRUE(links.redeem(links.issue_code(99), user->id));
  }
  auto removed = admin({"remove-analyst", name, "--force"});
  ASSERT_EQ(removed.exit_code, 0) << removed.out << removed.err;
  EXPECT_NE(removed.out.find("disabled"), std::string::npos) << removed.out;
  EXPECT_FALSE(account_exists(name));
  EXPECT_FALSE(fs::exists(dir_ / "homes" / name));
  // The home's links pointed at the broker's data: removing it must not follow them.
  EXPECT_TRUE(fs::exists(broker_ / "data/parquet/shop/orders.parquet"));
  EXPECT_TRUE(fs::exists(broker_ / "docs/data_description.md"));

  auto refused = pull(name);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("refused"), std::string::npos) << refused.err;
  {
    store::StateStore store(broker_ / "data" / "state.db");
    auto user = identity::UserStore(store.database()).find_by_username(name);
    ASSERT_TRUE(user);
    EXPECT_TRUE(user->disabled);
    EXPECT_FALSE(notify::TelegramLinks(store.database()).chat_of(user->id));
  }
  // Removing what is not an analyst account is refused.
  auto root = admin({"remove-analyst", "root", "--force"});
  EXPECT_NE(root.exit_code, 0);
  EXPECT_NE(root.err.find("not an analyst account"), std::string::npos) << root.err;
}

TEST_F(DistributionOverSsh, HomeOperationsRefuseToFollowPlantedLinks) {
  std::string name = add_analyst("analyst", false);
  fs::path home = dir_ / "homes" / name;
  fs::path outside = dir_ / "outside";
  fs::create_directories(outside);
  struct stat before {};
  ASSERT_EQ(::stat(outside.c_str(), &before), 0);

  // The analyst swaps a folder root manages for a link to somewhere else.
  fs::remove_all(home / "user" / "duckdb");
  fs::create_directory_symlink(outside, home / "user" / "duckdb");
  auto repaired = admin({"add-analyst", name, keys_[name].public_key});
  EXPECT_NE(repaired.exit_code, 0);
  EXPECT_NE(repaired.err.find("symbolic link"), std::string::npos) << repaired.err;
  struct stat after {};
  ASSERT_EQ(::stat(outside.c_str(), &after), 0);
  EXPECT_EQ(after.st_uid, before.st_uid);
  EXPECT_EQ(after.st_mode, before.st_mode);

  // A link where authorized_keys goes is replaced, never written through.
  fs::remove(home / "user" / "duckdb");
  fs::path target = dir_ / "victim.txt";
  dir_.write("victim.txt", "keep me\n");
  fs::remove(home / ".ssh" / "authorized_keys");
  fs::create_symlink(target, home / ".ssh" / "authorized_keys");
  repaired = admin({"add-analyst", name, keys_[name].public_key});
  ASSERT_EQ(repaired.exit_code, 0) << repaired.err;
  EXPECT_EQ(read_text(target), "keep me\n");
  EXPECT_FALSE(fs::is_symlink(home / ".ssh" / "authorized_keys"));
  EXPECT_TRUE(fs::is_directory(home / "user" / "duckdb"));
  EXPECT_EQ(pull(name).exit_code, 0) << "the repaired account works";

  // A whole .ssh that is a link is refused.
  fs::remove_all(home / ".ssh");
  fs::create_directory_symlink(outside, home / ".ssh");
  repaired = admin({"add-analyst", name, keys_[name].public_key});
  EXPECT_NE(repaired.exit_code, 0);
  EXPECT_FALSE(fs::exists(outside / "authorized_keys"));
}

TEST_F(DistributionOverSsh, AccountsAreCreatedOnceAndRepairedIdempotently) {
  std::string name = add_analyst("analyst", false);
  auto again = admin({"add-analyst", name, keys_[name].public_key});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("repaired"), std::string::npos) << again.out;
  fs::path home = dir_ / "homes" / name;
  std::string keys = read_text(home / ".ssh/authorized_keys");
  EXPECT_EQ(std::count(keys.begin(), keys.end(), '\n'), 1) << keys;
  auto groups = run_process({"id", "-nG", name});
  EXPECT_NE(groups.out.find("dataread"), std::string::npos) << groups.out;
  EXPECT_EQ(groups.out.find("data-private"), std::string::npos) << groups.out;

  auto reserved = admin({"add-analyst", "root", keys_[name].public_key});
  EXPECT_NE(reserved.exit_code, 0);
  auto private_key = admin({"add-analyst", name, "-----BEGIN OPENSSH PRIVATE KEY-----\nabc"});
  EXPECT_NE(private_key.exit_code, 0);
  EXPECT_NE(private_key.err.find("private key"), std::string::npos) << private_key.err;
}

}  // namespace
}  // namespace da
