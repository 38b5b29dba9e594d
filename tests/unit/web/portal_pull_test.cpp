// The HTTPS pull API over real HTTP: the manifest follows the analyst's visibility, files come
// with ETag and Range, and what an analyst may not see is refused.
#include "unit/web/portal_fixture.hpp"

#include "da/common/hash.hpp"
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
  EXPECT_EQ(get("/api/pull/files/parquet/private/salaries.parquet", token_).status, 403);
  EXPECT_EQ(get("/api/pull/files/parquet/web/events/2024-01.parquet", token_).status, 403);
  EXPECT_EQ(get("/api/pull/files/parquet/crm/nothing.parquet", token_).status, 404);
  EXPECT_EQ(get("/api/pull/files/parquet/crm/..%2F..%2Fstate.db", token_).status, 404);
  EXPECT_EQ(get("/api/pull/files/metadata/sync_state.json", token_).status, 404);
  EXPECT_EQ(get("/api/pull/manifest", "dap_forged").status, 401);
  EXPECT_EQ(get("/api/pull/files/parquet/crm/orders.parquet", "dap_forged").status, 401);
}

}  // namespace
}  // namespace da::web
