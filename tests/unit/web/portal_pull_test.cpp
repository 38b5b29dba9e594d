// The HTTPS pull API over real HTTP: the manifest follows the analyst's visibility, files come
// with ETag and Range, and what an analyst may not see is refused.
#include <algorithm>

#include "unit/web/portal_fixture.hpp"

#include "da/common/error.hpp"
#include "da/common/hash.hpp"
#include "da/distribution/https_pull.hpp"
#include "da/identity/api_token_store.hpp"
#include "da/identity/user_store.hpp"
#include "da/store/state_store.hpp"

namespace da::web {
namespace {

using Json = nlohmann::json;

class PortalPullTest : public PortalFixture {
 protected:
  void SetUp() override {
    PortalFixture::SetUp();
    temp_.write("docs/data_description.md",
                "```yaml\nfolder_mapping: {in.c-crm: crm, in.c-web: web, in.c-hr: private}\n"
                "tables:\n"
                "  - {id: in.c-crm.orders, name: orders, sync_strategy: full_refresh}\n"
                "  - {id: in.c-web.events, name: events, sync_strategy: partitioned, "
                "partition_by: at, dataset: web_events}\n"
                "  - {id: in.c-hr.salaries, name: salaries, sync_strategy: full_refresh}\n"
                "```\n");
    big_ = std::string(3 * 1024 * 1024 + 17, 'x');
    for (size_t i = 0; i < big_.size(); i += 4096)
      big_[i] = static_cast<char>('a' + (i / 4096) % 26);
    temp_.write("data/parquet/crm/orders.parquet", big_);
    temp_.write("data/parquet/web/events/2024-01.parquet", "jan");
    temp_.write("data/parquet/private/salaries.parquet", "secret");
    token_ = token_for("ana@example.com");
  }

  std::string token_for(const std::string& email) {
    sign_in(email);
    store::StateStore store(config_.paths.state_db);
    auto user = identity::UserStore(store.database()).find_by_email(email);
    return identity::ApiTokenStore(store.database())
        .create_personal(user->id, "pull", std::nullopt)
        .token;
  }

  net::HttpResponse get(const std::string& path, const std::string& token,
                        std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Authorization", "Bearer " + token);
    return call("GET", path, "", "", "", std::move(headers));
  }

  std::vector<std::string> manifest_paths(const std::string& token) {
    auto response = get("/api/pull/manifest", token);
    EXPECT_EQ(response.status, 200) << response.body;
    std::vector<std::string> paths;
    Json manifest = Json::parse(response.body);
    for (const auto& file : manifest["files"])
      if (file["path"].get<std::string>().rfind("parquet/", 0) == 0) paths.push_back(file["path"]);
    return paths;
  }

  std::string big_;
  std::string token_;
};

TEST_F(PortalPullTest, TheManifestListsWhatTheAnalystMaySee) {
  EXPECT_EQ(manifest_paths(token_), std::vector<std::string>{"parquet/crm/orders.parquet"});
  auto first = get("/api/pull/manifest", token_);
  auto again = get("/api/pull/manifest", token_, {{"If-None-Match", first.header("etag")}});
  EXPECT_EQ(again.status, 304);

  std::string boss = token_for("boss@example.com");
  {
    store::StateStore store(config_.paths.state_db);
    identity::UserStore(store.database()).grant_role("boss@example.com", identity::kRolePrivileged);
  }
  EXPECT_EQ(manifest_paths(boss), (std::vector<std::string>{"parquet/crm/orders.parquet",
                                                            "parquet/private/salaries.parquet"}));
}

TEST_F(PortalPullTest, FilesComeWholeOrByRangeWithTheirDigestAsETag) {
  auto whole = get("/api/pull/files/parquet/crm/orders.parquet", token_);
  ASSERT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body.size(), big_.size());
  EXPECT_TRUE(whole.body == big_);
  EXPECT_EQ(whole.header("etag"), "\"" + sha256_hex(big_) + "\"");
  EXPECT_EQ(get("/api/pull/files/parquet/crm/orders.parquet", token_,
                {{"If-None-Match", whole.header("etag")}})
                .status,
            304);
  auto tail = get("/api/pull/files/parquet/crm/orders.parquet", token_,
                  {{"Range", "bytes=1000000-"}, {"If-Range", whole.header("etag")}});
  ASSERT_EQ(tail.status, 206);
  EXPECT_TRUE(tail.body == big_.substr(1000000));
  EXPECT_EQ(tail.header("content-range"),
            "bytes 1000000-" + std::to_string(big_.size() - 1) + "/" + std::to_string(big_.size()));
  // A changed file ignores a Range meant for its old version.
  auto stale = get("/api/pull/files/parquet/crm/orders.parquet", token_,
                   {{"Range", "bytes=10-"}, {"If-Range", "\"old\""}});
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(
      get("/api/pull/files/parquet/crm/orders.parquet", token_, {{"Range", "bytes=99999999-"}})
          .status,
      416);
}

TEST_F(PortalPullTest, ForbiddenMissingAndUnauthenticatedFilesAreRefused) {
  // A file the analyst may not have and one that does not exist get the same answer.
  auto forbidden = get("/api/pull/files/parquet/private/salaries.parquet", token_);
  auto missing = get("/api/pull/files/parquet/private/nothing.parquet", token_);
  EXPECT_EQ(forbidden.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json::parse(forbidden.body)["error"].get<std::string>().find("salaries"),
            Json::parse(missing.body)["error"].get<std::string>().find("nothing"));
  EXPECT_EQ(get("/api/pull/files/parquet/web/events/2024-01.parquet", token_).status, 404);
  EXPECT_EQ(get("/api/pull/files/parquet/crm/nothing.parquet", token_).status, 404);
  EXPECT_EQ(get("/api/pull/files/parquet/crm/..%2F..%2Fstate.db", token_).status, 404);
  EXPECT_EQ(get("/api/pull/files/metadata/sync_state.json", token_).status, 404);
  EXPECT_EQ(get("/api/pull/manifest", "dap_forged").status, 401);
  EXPECT_EQ(get("/api/pull/files/parquet/crm/orders.parquet", "dap_forged").status, 401);
}

class HttpsPullTest : public PortalPullTest {
 protected:
  distribution::PullReport pull(const std::string& token = "") {
    distribution::PullOptions options;
    options.portal_url = url("");
    options.token = token.empty() ? token_ : token;
    options.workspace = temp_ / "ws";
    options.show_progress = false;
    return distribution::pull_https(options);
  }
  std::filesystem::path local(const std::string& path) { return temp_ / "ws" / "server" / path; }
};

TEST_F(HttpsPullTest, ARepeatPullWithNothingChangedTransfersNothing) {
  auto first = pull();
  EXPECT_EQ(first.files_fetched, first.files_in_manifest);
  EXPECT_EQ(da::testing::read_text(local("parquet/crm/orders.parquet")), big_);
  EXPECT_TRUE(std::filesystem::exists(local("docs/data_description.md")));
  EXPECT_FALSE(std::filesystem::exists(local("parquet/private/salaries.parquet")));
  // server/ is a mirror: its files are read-only.
  EXPECT_EQ(std::filesystem::status(local("parquet/crm/orders.parquet")).permissions(),
            std::filesystem::perms(0444));
  auto again = pull();
  EXPECT_EQ(again.files_fetched, 0);
  EXPECT_EQ(again.bytes_fetched, 0);
}

TEST_F(HttpsPullTest, TheDashboardShowsTheLastPull) {
  std::string cookies = sign_in("ana@example.com");
  EXPECT_NE(call("GET", "/dashboard", cookies).body.find("<dt>Last pull</dt><dd>never</dd>"),
            std::string::npos);
  pull();
  std::string page = call("GET", "/dashboard", cookies).body;
  EXPECT_EQ(page.find("<dt>Last pull</dt><dd>never</dd>"), std::string::npos);
  EXPECT_NE(page.find("<dt>Last pull</dt><dd>20"), std::string::npos);
  EXPECT_EQ(get("/api/pull/done", token_).status, 405);
  EXPECT_EQ(call("POST", "/api/pull/done", "", "{\"files\": \"x\"}", "application/json",
                 {{"Authorization", "Bearer " + token_}})
                .status,
            400);
}

TEST_F(HttpsPullTest, OnlyChangedFilesTravel) {
  pull();
  temp_.write("docs/data_description.md",
              "```yaml\nfolder_mapping: {in.c-crm: crm, in.c-web: web, in.c-hr: private}\n"
              "tables:\n"
              "  - {id: in.c-crm.orders, name: orders, sync_strategy: full_refresh, "
              "description: changed}\n"
              "```\n");
  auto again = pull();
  EXPECT_EQ(again.files_fetched, 1);
  EXPECT_LT(again.bytes_fetched, 1000);
}

TEST_F(HttpsPullTest, AnInterruptedDownloadResumesWhereItStopped) {
  temp_.write("ws/.da/partial/parquet/crm/orders.parquet", big_.substr(0, 2'000'000));
  auto report = pull();
  EXPECT_TRUE(da::testing::read_text(local("parquet/crm/orders.parquet")) == big_);
  // Only the rest of the big file travelled (plus the small docs).
  EXPECT_LT(report.bytes_fetched, static_cast<int64_t>(big_.size()) - 1'900'000);
  EXPECT_TRUE(report.refetched.empty());
}

TEST_F(HttpsPullTest, ACorruptedPartialFileIsDetectedAndFetchedAgain) {
  std::string corrupt = big_.substr(0, 1'000'000);
  corrupt[500] ^= 0x20;
  temp_.write("ws/.da/partial/parquet/crm/orders.parquet", corrupt);
  auto report = pull();
  EXPECT_EQ(report.refetched, std::vector<std::string>{"parquet/crm/orders.parquet"});
  EXPECT_TRUE(da::testing::read_text(local("parquet/crm/orders.parquet")) == big_);
}

TEST_F(HttpsPullTest, TablesTheAnalystNoLongerReceivesArePruned) {
  pull();
  {
    store::StateStore store(config_.paths.state_db);
    auto user = identity::UserStore(store.database()).find_by_email("ana@example.com");
    store.database()
        .prepare(
            "INSERT INTO user_selections (user_id, datasets, table_mode, tables) "
            "VALUES (?, '{}', 'explicit', '{\"orders\": false}')")
        .bind_all(user->id)
        .run();
  }
  auto report = pull();
  EXPECT_EQ(report.files_removed, 1);
  EXPECT_FALSE(std::filesystem::exists(local("parquet/crm/orders.parquet")));
  EXPECT_TRUE(std::filesystem::exists(local("docs/data_description.md")));
}

TEST_F(HttpsPullTest, AnUnregisteredTableLeavesTheManifestAndIsPruned) {
  pull();
  ASSERT_TRUE(std::filesystem::exists(local("parquet/crm/orders.parquet")));
  // What unregistering through the registry does to the catalog the portal reads.
  temp_.write("docs/data_description.md",
              "```yaml\nfolder_mapping: {in.c-web: web}\ntables:\n"
              "  - {id: in.c-web.events, name: events, sync_strategy: partitioned, "
              "partition_by: at, dataset: web_events}\n```\n");
  auto paths = manifest_paths(token_);
  EXPECT_EQ(std::count(paths.begin(), paths.end(), "parquet/crm/orders.parquet"), 0);
  EXPECT_EQ(get("/api/pull/files/parquet/crm/orders.parquet", token_).status, 404);
  auto report = pull();
  EXPECT_GE(report.files_removed, 1);
  EXPECT_FALSE(std::filesystem::exists(local("parquet/crm/orders.parquet")));
}

TEST_F(HttpsPullTest, AnExpiredTokenIsRefusedWith401) {
  std::string expiring;
  {
    store::StateStore store(config_.paths.state_db);
    auto user = identity::UserStore(store.database()).find_by_email("ana@example.com");
    auto issued = identity::ApiTokenStore(store.database())
                      .create_personal(user->id, "short", std::chrono::hours(1));
    expiring = issued.token;
    store.database()
        .prepare("UPDATE api_tokens SET expires_at = 1 WHERE id = ?")
        .bind_all(issued.info.id)
        .run();
  }
  EXPECT_EQ(get("/api/pull/manifest", expiring).status, 401);
  EXPECT_EQ(get("/api/pull/files/parquet/crm/orders.parquet", expiring).status, 401);
  try {
    pull(expiring);
    FAIL() << "an expired token pulled";
  } catch (const da::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kAuth);
  }
  EXPECT_FALSE(std::filesystem::exists(local("parquet/crm/orders.parquet")));
}

TEST_F(HttpsPullTest, ARefusedTokenFailsAndChangesNothing) {
  pull();
  temp_.write("data/parquet/crm/orders.parquet", "new content");
  try {
    pull("dap_expired");
    FAIL() << "expected an error";
  } catch (const da::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kAuth);
    EXPECT_NE(std::string(e.what()).find("refused the token"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(da::testing::read_text(local("parquet/crm/orders.parquet")) == big_);
}

}  // namespace
}  // namespace da::web
