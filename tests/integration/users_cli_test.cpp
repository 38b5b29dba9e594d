// da users and da serve through the real binary.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace da {
namespace {

using testing::run_da;
using testing::TempDir;

class UsersCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("config/instance.yaml",
               "paths: {data_dir: ./data, docs_dir: ./docs}\nlogging: {level: warn}\n"
               "username_mapping: {a_very_long_first_name_and_last_name_example_com: along}\n");
  }
  testing::ProcessResult da(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", (dir_ / "config").string()});
    return run_da(args);
  }
  TempDir dir_;
};

TEST_F(UsersCli, RolesAreGrantedListedAndRevoked) {
  auto granted = da({"users", "grant-role", "Ana.Lytic@Example.com", "admin"});
  ASSERT_EQ(granted.exit_code, 0) << granted.err;
  auto list = nlohmann::json::parse(da({"--json", "users", "list"}).out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["email"], "ana.lytic@example.com");
  EXPECT_EQ(list[0]["username"], "ana_lytic_example_com");
  EXPECT_EQ(list[0]["roles"], nlohmann::json({"admin", "analyst"}));
  EXPECT_EQ(da({"users", "revoke-role", "ana.lytic@example.com", "admin"}).exit_code, 0);
  auto unknown = da({"users", "grant-role", "ana.lytic@example.com", "owner"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown role 'owner'"), std::string::npos);
  auto nobody = da({"users", "revoke-role", "nobody@example.com", "admin"});
  EXPECT_EQ(nobody.exit_code, 1);
  EXPECT_NE(nobody.err.find("no user with the email nobody@example.com"), std::string::npos);
}

TEST_F(UsersCli, LongUserNamesNeedAMappingAndSayHow) {
  auto too_long =
      da({"users", "grant-role", "someone.with.a.long.name@subsidiary.example.com", "analyst"});
  EXPECT_NE(too_long.exit_code, 0);
  EXPECT_NE(too_long.err.find("longer than 32 characters"), std::string::npos) << too_long.err;
  EXPECT_NE(too_long.err.find("username_mapping"), std::string::npos);
  auto mapped = da({"--json", "users", "grant-role",
                    "a.very.long.first.name.and.last.name@example.com", "analyst"});
  ASSERT_EQ(mapped.exit_code, 0) << mapped.err;
  EXPECT_EQ(nlohmann::json::parse(mapped.out)["username"], "along");
}

TEST_F(UsersCli, TokensAreShownOnceAndDisablingRevokesThem) {
  ASSERT_EQ(da({"users", "grant-role", "ana@example.com", "analyst"}).exit_code, 0);
  auto created = da({"users", "token", "create", "ana@example.com", "--name", "laptop"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.out.rfind("dap_", 0), 0u);
  EXPECT_EQ(da({"users", "token", "list", "ana@example.com"}).out.find(created.out.substr(0, 20)),
            std::string::npos);  // the list never shows the token itself
  ASSERT_EQ(da({"users", "disable", "ana@example.com"}).exit_code, 0);
  EXPECT_NE(da({"users", "token", "list", "ana@example.com"}).out.find("(revoked)"),
            std::string::npos);
  EXPECT_NE(da({"users", "token", "create", "ana@example.com"}).exit_code, 0);
}

TEST_F(UsersCli, ServeRefusesToStartWithoutASecretKey) {
  auto serve = da({"serve", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(serve.exit_code, 2);
  EXPECT_NE(serve.err.find("auth.webapp_secret_key"), std::string::npos) << serve.err;
}

}  // namespace
}  // namespace da
