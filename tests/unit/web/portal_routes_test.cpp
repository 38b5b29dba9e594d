// Every page and the JSON API routes that change things: shapes, status codes and role checks,
// on an instance that has registered tables but never synced (no data, no profiles).
#include <filesystem>
#include <thread>

#include "portal_fixture.hpp"

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
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
  for (const char* page : {"/dashboard", "/catalog", "/selection", "/admin/tables"})
    EXPECT_EQ(call("GET", page).status, 303) << page;
  std::string analyst = sign_in("ana@example.com");
  for (const char* page : {"/dashboard", "/catalog", "/selection"}) {
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

TEST_F(PortalRoutesTest, TheOldSyncSettingsPathRedirectsToTheSelectionAndItsApiStillAnswers) {
  auto moved = call("GET", "/sync-settings?x=1");
  EXPECT_EQ(moved.status, 308);
  EXPECT_EQ(moved.header("location"), "/selection?x=1");
  std::string cookies = sign_in("ana@example.com");
  EXPECT_EQ(call("GET", "/sync-settings", cookies).header("location"), "/selection");
  auto saved = send_json("POST", "/api/sync-settings", cookies, {{"datasets", {{"support", true}}}});
  EXPECT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(Json::parse(call("GET", "/api/selection", cookies).body)["datasets"]["support"], true);
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
  void selection_changed(const std::string& username) override {
    refreshes.push_back(username);
    if (refresh_failures > 0) {
      --refresh_failures;
      throw Error(ErrorKind::kInternal, "the account helper is not running");
    }
  }
  std::vector<std::pair<std::string, std::string>> calls;
  std::vector<std::string> refreshes;
  int refresh_failures = 0;
};

class ProvisioningTest : public PortalRoutesTest {
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

TEST_F(PortalRoutesTest, HealthTellsThePublicOnlyItsStatusAndAdminsTheDetails) {
  auto anonymous = call("GET", "/health");
  EXPECT_EQ(anonymous.status, 200);
  EXPECT_EQ(Json::parse(anonymous.body), Json({{"status", "ok"}}));
  EXPECT_EQ(Json::parse(call("GET", "/health", sign_in("ana@example.com")).body),
            Json({{"status", "ok"}}));
  std::string admin = sign_in("root@example.com");
  make_admin("root@example.com");
  Json body = Json::parse(call("GET", "/health", admin).body);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["checks"][0]["name"], "state_store");
  EXPECT_TRUE(body["disk"][0].contains("used_percent"));
  EXPECT_TRUE(body.contains("last_sync"));
}

TEST_F(PortalRoutesTest, FieldsOfTheWrongTypeAreBadRequestsThatNameTheField) {
  std::string cookies = sign_in("ana@example.com");
  auto mode = send_json("POST", "/api/table-subscriptions", cookies,
                        {{"table_mode", 5}, {"tables", Json::object()}});
  EXPECT_EQ(mode.status, 400);
  EXPECT_EQ(Json::parse(mode.body)["error"], "field 'table_mode' must be a string, not a number");
  auto key = send_json("POST", "/api/ssh-key", cookies, {{"ssh_key", 1}});
  EXPECT_EQ(key.status, 400);
  EXPECT_EQ(Json::parse(key.body)["error"], "field 'ssh_key' must be a string, not a number");
  auto array = call("POST", "/api/ssh-key", cookies, "[1]", "application/json",
                    {{"X-CSRF-Token", csrf_of(cookies)}});
  EXPECT_EQ(array.status, 400);
  std::string admin = sign_in("root@example.com");
  make_admin("root@example.com");
  auto version =
      send_json("DELETE", "/api/admin/registry/sales.orders", admin, {{"version", "latest"}});
  EXPECT_EQ(version.status, 400);
  EXPECT_EQ(Json::parse(version.body)["error"], "field 'version' must be an integer, not a string");
}

TEST_F(ProvisioningTest, AFailedFilterRefreshIsShownToAdminsAndRetriedUntilItWorks) {
  std::string admin = sign_in("root@example.com");
  make_admin("root@example.com");
  recorder_.refresh_failures = 2;
  Json table = {{"id", "crm.company"}, {"name", "company"}, {"sync_strategy", "full_refresh"}};
  auto registered = send_json("POST", "/api/admin/register-table", admin, table);
  EXPECT_EQ(registered.status, 200);  // the change itself is saved
  EXPECT_EQ(Json::parse(registered.body)["filters_refreshed"], false);
  EXPECT_NE(Json::parse(registered.body)["warning"].get<std::string>().find(
                "the account helper is not running"),
            std::string::npos);
  ASSERT_EQ(recorder_.refreshes, std::vector<std::string>{""});

  auto page = call("GET", "/admin/tables", admin);
  EXPECT_NE(page.body.find("id=\"filters-pending\""), std::string::npos);
  EXPECT_NE(page.body.find("the account helper is not running"), std::string::npos);
  auto health = call("GET", "/health", admin);
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(Json::parse(health.body)["status"], "degraded");
  EXPECT_EQ(Json::parse(call("GET", "/health").body), Json({{"status", "degraded"}}));

  portal_->retry_pending_filter_refreshes();  // fails once more
  EXPECT_EQ(recorder_.refreshes.size(), 2u);
  EXPECT_NE(call("GET", "/admin/tables", admin).body.find("2 attempt(s)"), std::string::npos);
  portal_->retry_pending_filter_refreshes();  // works
  EXPECT_EQ(recorder_.refreshes.size(), 3u);
  EXPECT_EQ(call("GET", "/admin/tables", admin).body.find("filters-pending"), std::string::npos);
  EXPECT_EQ(call("GET", "/health").status, 200);
}

}  // namespace
}  // namespace da::web
