// Every page and the JSON API routes that change things: shapes, status codes and role checks,
// on an instance that has registered tables but never synced (no data, no profiles).
#include <filesystem>
#include <thread>

#include "portal_fixture.hpp"

#include "da/common/atomic_file.hpp"
#include "da/identity/user_store.hpp"
#include "da/store/state_store.hpp"

namespace da::web {
namespace {

using Json = nlohmann::json;
constexpr const char* kKey =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDFCGjLqhNIwPbD7UJBEAj6Q0S+yGI9/yI1nWOhT3hR1 me@laptop";

class PortalRoutesTest : public PortalFixture {
 protected:
  std::string extra_yaml() const override {
    return "datasets:\n  support: {label: Support}\n  history: {label: History, requires: "
           "support}\ndata_source: {type: csv, csv: {base_dir: ./incoming}}\n";
  }
  void make_admin(const std::string& email) {
    store::StateStore store(config_.paths.state_db);
    identity::UserStore(store.database()).grant_role(email, "admin");
  }
  net::HttpResponse send_json(const std::string& method, const std::string& path,
                              const std::string& cookies, const Json& body) {
    return call(method, path, cookies, body.dump(), "application/json",
                {{"X-CSRF-Token", csrf_of(cookies)}});
  }
};

TEST_F(PortalRoutesTest, EveryPageRendersForItsRolesWithNoDataYet) {
  for (const char* page : {"/dashboard", "/catalog", "/sync-settings", "/admin/tables"})
    EXPECT_EQ(call("GET", page).status, 303) << page;
  std::string analyst = sign_in("ana@example.com");
  for (const char* page : {"/dashboard", "/catalog", "/sync-settings"}) {
    auto answer = call("GET", page, analyst);
    EXPECT_EQ(answer.status, 200) << page;
    EXPECT_NE(answer.body.find("</html>"), std::string::npos) << page;
  }
  EXPECT_EQ(call("GET", "/admin/tables", analyst).status, 403);
  std::string admin = sign_in("root@example.com");
  make_admin("root@example.com");
  EXPECT_EQ(call("GET", "/admin/tables", admin).status, 200);
  EXPECT_EQ(call("GET", "/", admin).header("location"), "/dashboard");
  EXPECT_EQ(call("GET", "/").header("location"), "/login");
}

TEST_F(PortalRoutesTest, ProfilesAnswer404UntilTheProfilerRan) {
  std::string cookies = sign_in("ana@example.com");
  auto answer = call("GET", "/api/catalog/profile/orders", cookies);
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(Json::parse(answer.body)["error"], "Profiler data not available yet");
  auto catalog = Json::parse(call("GET", "/api/catalog", cookies).body);
  EXPECT_EQ(catalog["categories"][0]["tables"][0]["rows_display"], "-");
  EXPECT_EQ(catalog["stats"]["last_updated"], "never");
}

TEST_F(PortalRoutesTest, SyncSettingsCheckNamesValuesAndRequirements) {
  std::string cookies = sign_in("ana@example.com");
  auto initial = Json::parse(call("GET", "/api/sync-settings", cookies).body);
  EXPECT_EQ(initial["datasets"], Json({{"history", false}, {"support", false}}));
  EXPECT_EQ(initial["metadata"]["history"]["requires"], "support");
  EXPECT_EQ(send_json("POST", "/api/sync-settings", cookies, {{"datasets", Json::object()}}).status,
            400);
  EXPECT_EQ(
      send_json("POST", "/api/sync-settings", cookies, {{"datasets", {{"jira", true}}}}).status,
      400);
  EXPECT_EQ(
      send_json("POST", "/api/sync-settings", cookies, {{"datasets", {{"support", "yes"}}}}).status,
      400);
  auto refused =
      send_json("POST", "/api/sync-settings", cookies, {{"datasets", {{"history", true}}}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(Json::parse(refused.body)["error"], "history requires support to be enabled");
  auto saved = send_json("POST", "/api/sync-settings", cookies,
                         {{"datasets", {{"history", true}, {"support", true}}}});
  EXPECT_EQ(saved.status, 200);
  auto after = Json::parse(call("GET", "/api/sync-settings", cookies).body);
  EXPECT_EQ(after["datasets"]["history"], true);
  EXPECT_TRUE(after["updated_at"].is_string());
}

TEST_F(PortalRoutesTest, SshKeysAreValidatedBeforeTheyAreStored) {
  std::string cookies = sign_in("ana@example.com");
  auto private_key = send_json("POST", "/api/ssh-key", cookies,
                               {{"ssh_key", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n"}});
  EXPECT_EQ(private_key.status, 422);
  EXPECT_NE(Json::parse(private_key.body)["error"].get<std::string>().find("private key"),
            std::string::npos);
  auto form =
      call("POST", "/register", cookies, "ssh_key=ssh-rsa+short&csrf_token=" + csrf_of(cookies),
           "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 422);
  EXPECT_EQ(Json::parse(call("GET", "/api/me", cookies).body)["has_ssh_key"], false);
  EXPECT_EQ(send_json("POST", "/api/ssh-key", cookies, {{"ssh_key", kKey}}).status, 200);
  EXPECT_EQ(Json::parse(call("GET", "/api/me", cookies).body)["has_ssh_key"], true);
}

TEST_F(PortalRoutesTest, AdminsEditAndUnregisterTablesWithVersionsAndAnAuditTrail) {
  std::string admin = sign_in("root@example.com");
  make_admin("root@example.com");
  Json table = {{"id", "crm.company"},
                {"name", "company"},
                {"primary_key", {"id"}},
                {"sync_strategy", "full_refresh"},
                {"version", 0}};
  ASSERT_EQ(send_json("POST", "/api/admin/register-table", admin, table).status, 200);
  auto edited = send_json("PUT", "/api/admin/registry/crm.company", admin,
                          {{"description", "Companies"}, {"version", 1}});
  EXPECT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(Json::parse(edited.body)["version"], 2);
  auto stale = send_json("PUT", "/api/admin/registry/crm.company", admin,
                         {{"description", "Other"}, {"version", 1}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(send_json("PUT", "/api/admin/registry/crm.company", admin, {{"name", "x"}}).status,
            400);
  EXPECT_EQ(
      send_json("PUT", "/api/admin/registry/crm.missing", admin, {{"description", "x"}}).status,
      404);
  auto registry = Json::parse(call("GET", "/api/admin/registry", admin).body);
  EXPECT_EQ(registry["tables"][0]["description"], "Companies");
  EXPECT_NE(read_file(config_.paths.docs_dir / "data_description.md").find("crm.company"),
            std::string::npos);

  EXPECT_EQ(send_json("DELETE", "/api/admin/registry/crm.company", admin, {{"version", 2}}).status,
            200);
  EXPECT_EQ(read_file(config_.paths.docs_dir / "data_description.md").find("crm.company"),
            std::string::npos);
  auto audit = Json::parse(call("GET", "/api/admin/audit", admin).body);
  ASSERT_EQ(audit["entries"].size(), 3u);
  EXPECT_EQ(audit["entries"][0]["action"], "unregister");
  EXPECT_EQ(audit["entries"][2]["action"], "register");
  EXPECT_EQ(audit["entries"][2]["actor"], "root@example.com");
}

TEST_F(PortalRoutesTest, DiscoveryRunsOffTheRequestThreadAndIsPolled) {
  temp_.write("incoming/leads.csv", "id,name\n1,a\n2,b\n");
  std::string admin = sign_in("root@example.com");
  make_admin("root@example.com");
  net::HttpResponse answer = call("GET", "/api/admin/discover-tables?refresh=1", admin);
  for (int i = 0; i < 100 && answer.status == 202; ++i) {
    EXPECT_EQ(Json::parse(answer.body)["status"], "running");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    answer = call("GET", "/api/admin/discover-tables", admin);
  }
  ASSERT_EQ(answer.status, 200) << answer.body;
  Json body = Json::parse(answer.body);
  EXPECT_EQ(body["total"], 1);
  EXPECT_EQ(body["buckets"][0]["tables"][0]["name"], "leads");
  EXPECT_EQ(body["buckets"][0]["tables"][0]["is_registered"], false);
}

class RecordingProvisioner : public identity::AccountProvisioner {
 public:
  identity::ProvisionResult provision(const identity::User& user, const std::string& key) override {
    calls.emplace_back(user.username, key);
    return {true, "Account " + user.username + " is ready."};
  }
  std::vector<std::pair<std::string, std::string>> calls;
};

class ProvisioningTest : public PortalFixture {
 protected:
  identity::AccountProvisioner* provisioner() override { return &recorder_; }
  RecordingProvisioner recorder_;
};

TEST_F(ProvisioningTest, ASavedKeyIsHandedToTheAccountProvisionerNormalised) {
  std::string cookies = sign_in("ana@example.com");
  std::string pasted = std::string(kKey);
  for (char& c : pasted)
    if (c == ' ') c = '\n';
  auto form = call("POST", "/register", cookies,
                   "ssh_key=" + net::url_encode(pasted) + "&csrf_token=" + csrf_of(cookies),
                   "application/x-www-form-urlencoded");
  EXPECT_EQ(form.header("location"), "/dashboard?notice=account_ready");
  ASSERT_EQ(recorder_.calls.size(), 1u);
  EXPECT_EQ(recorder_.calls[0].first, "ana_example_com");
  EXPECT_EQ(recorder_.calls[0].second, kKey);
}

TEST_F(PortalRoutesTest, HealthIsPublicAndReportsItsChecks) {
  auto health = call("GET", "/health");
  EXPECT_EQ(health.status, 200);
  Json body = Json::parse(health.body);
  EXPECT_EQ(body["status"], "healthy");
  EXPECT_EQ(body["checks"][0]["name"], "state_store");
  EXPECT_TRUE(body["disk"][0].contains("used_percent"));
}

}  // namespace
}  // namespace da::web
