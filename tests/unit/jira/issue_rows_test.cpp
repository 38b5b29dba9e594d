#include "jira/tables/issue_rows.hpp"

#include <chrono>
#include <filesystem>

#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "da/common/time.hpp"

namespace da::connectors::jira {
namespace {

namespace fs = std::filesystem;
using duck::Value;
using Json = nlohmann::json;
using Row = std::vector<Value>;

const std::string kKey = "SUPPORT-14991";

Json recorded_issue() {
  return Json::parse(
      testing::read_text(fs::path(DA_SOURCE_DIR) / "tests/fixtures/jira/issue_support_14991.json"));
}

// The original's ids, as the example instance.yaml lists them.
CustomFieldIds original_ids() {
  CustomFieldIds ids;
  ids.request_type = "customfield_10010";
  ids.severity = "customfield_10004";
  ids.triage = "customfield_10323";
  ids.configuration_item = "customfield_10511";
  ids.participants = "customfield_10156";
  ids.organizations = "customfield_10002";
  ids.spam = "customfield_10365";
  ids.context = "customfield_10330";
  ids.custom_url = "customfield_10325";
  ids.slack_link = "customfield_10350";
  ids.technical_issue_category = "customfield_10676";
  ids.email_address = "customfield_10475";
  ids.satisfaction = "customfield_10157";
  ids.first_response = "customfield_10328";
  ids.time_to_resolution = "customfield_10161";
  ids.l3_team = "customfield_11831";
  return ids;
}

RowContext context(const fs::path& attachments_root = {}) {
  return {"https://example.atlassian.net/", original_ids(), attachments_root};
}

void expect_rows(size_t table, const std::vector<Row>& actual, const std::vector<Row>& expected) {
  const published::TableSchema& schema = jira_tables()[table].schema;
  ASSERT_EQ(actual.size(), expected.size()) << jira_tables()[table].name;
  for (size_t row = 0; row < actual.size(); ++row) {
    ASSERT_EQ(actual[row].size(), schema.columns.size()) << jira_tables()[table].name;
    ASSERT_EQ(expected[row].size(), schema.columns.size()) << jira_tables()[table].name;
    for (size_t column = 0; column < schema.columns.size(); ++column) {
      EXPECT_EQ(actual[row][column], expected[row][column])
          << jira_tables()[table].name << " row " << row << " column "
          << schema.columns[column].name << ": got " << actual[row][column].to_string()
          << ", expected " << expected[row][column].to_string();
    }
  }
}

TEST(JiraIssueRows, EveryIssueColumnIsComputedAsTheOriginalDid) {
  IssueRows rows = issue_rows(recorded_issue(), context());
  EXPECT_EQ(rows.issue_key, kKey);
  EXPECT_EQ(rows.month, "2024-02");
  Value null;
  expect_rows(kIssues, rows.tables[kIssues],
              {{kKey,
                "10234",
                "https://example.atlassian.net/browse/SUPPORT-14991",
                "Export to Parquet fails for large tables",
                "The nightly export fails since Monday",
                "Service Request",
                "In Progress",
                "In Progress",
                "High",
                null,
                "SUPPORT",
                "Support",
                "anna@example.com",
                "Anna Novak",
                "carl@client.example",
                "Carl Customer",
                null,  // Jira Cloud hides this user's email
                "Bob Agent",
                "2024-01-31T23:30:00.000000Z",
                "2024-02-03T13:05:10.250000Z",
                null,
                "2024-02-10",
                R"(["export","parquet"])",
                int64_t{2},
                int64_t{2},
                int64_t{2},
                "Report a bug",
                "Waiting for support",
                "S2 - Major",
                R"(["Needs info","Reproduced"])",
                R"(["Data export"])",
                R"(["dana@example.com","eve@client.example"])",
                R"(["Acme Corp"])",
                "No",
                "Customer on Enterprise plan",
                "https://status.example.com/incidents/1",
                "https://example.slack.com/archives/C0123/p1706743800",
                "Performance",
                "carl@client.example",
                int64_t{4},
                "False",  // the last completed cycle: no ongoing one
                int64_t{14400000},
                int64_t{3600000},
                "True",  // the ongoing cycle wins over the completed ones
                int64_t{28800000},
                int64_t{30000000},
                "Platform",
                "2026-12-08T03:04:05Z",
                "SUPPORT-14991.json"}});
}

TEST(JiraIssueRows, CommentsHaveTheirAdfTextAndUtcTimes) {
  IssueRows rows = issue_rows(recorded_issue(), context());
  expect_rows(kComments, rows.tables[kComments],
              {{"20001", kKey, "anna@example.com", "Anna Novak", "Thanks, we are on it.",
                "2024-02-01T08:15:00.000000Z", "2024-02-01T08:20:00.000000Z", "anna@example.com"},
               {"20002", kKey, "carl@client.example", "Carl Customer", "Any news?",
                "2024-02-02T08:00:00.000000Z", "2024-02-02T08:00:00.000000Z", Value()}});
}

TEST(JiraIssueRows, AttachmentsHaveTheirHierarchicalPathAndALocalPathOnlyWhenTheFileExists) {
  testing::TempDir attachments;
  fs::path stored = attachments.write("14/991/10001_a b.png", "png");
  IssueRows rows = issue_rows(recorded_issue(), context(attachments.path()));
  expect_rows(kAttachments, rows.tables[kAttachments],
              {{"10001", kKey, "a b.png", stored.string(), "14/991/10001_a b.png", int64_t{2048},
                "image/png", "anna@example.com", "2024-02-01T08:00:00.000000Z",
                "https://example.atlassian.net/rest/api/3/attachment/content/10001",
                "https://example.atlassian.net/rest/api/3/attachment/thumbnail/10001"},
               {"10002", kKey, "../../etc/passwd", Value(), "14/991/10002_passwd", int64_t{17},
                "text/plain", "carl@client.example", "2024-02-02T08:00:00.000000Z",
                "https://example.atlassian.net/rest/api/3/attachment/content/10002", Value()}});
}

TEST(JiraIssueRows, TheChangelogHasOneRowPerHistoryItem) {
  IssueRows rows = issue_rows(recorded_issue(), context());
  expect_rows(kChangelog, rows.tables[kChangelog],
              {{"40001", kKey, "anna@example.com", "Anna Novak", "status", "jira", "Open",
                "In Progress", "2024-02-01T09:00:00.000000Z"},
               {"40001", kKey, "anna@example.com", "Anna Novak", "assignee", "jira", Value(),
                "Bob Agent", "2024-02-01T09:00:00.000000Z"},
               {"40002", kKey, Value(), "Bob Agent", "labels", "jira", "export", "export parquet",
                "2024-02-03T13:05:10.250000Z"}});
}

TEST(JiraIssueRows, IssueLinksAreRecordedInBothDirections) {
  IssueRows rows = issue_rows(recorded_issue(), context());
  expect_rows(
      kIssueLinks, rows.tables[kIssueLinks],
      {{kKey, "30001", "Blocks", "outward", "SUPPORT-15000", "Parquet writer runs out of memory",
        "Open", "Medium"},
       {kKey, "30002", "Relates", "inward", "ENG-42", "Stream Parquet row groups", "Done", "Low"}});
}

TEST(JiraIssueRows, RemoteLinksTakeTheirObjectAndApplication) {
  IssueRows rows = issue_rows(recorded_issue(), context());
  expect_rows(kRemoteLinks, rows.tables[kRemoteLinks],
              {{kKey, "50001", "https://github.com/example/repo/pull/7",
                "Fix export of large tables", "GitHub", "com.github"}});
}

Json issue_created(const Json& created) {
  return {{"key", "SUPPORT-1"}, {"id", "1"}, {"fields", {{"created", created}}}};
}

TEST(JiraIssueRows, TheMonthIsTheCreatedTimestampsMonthInItsOwnOffset) {
  EXPECT_EQ(issue_month(issue_created("2024-02-01T00:30:00.000+0100")), "2024-02");  // UTC: January
  EXPECT_EQ(issue_month(issue_created("2024-01-31T23:30:00.000-0500")),
            "2024-01");  // UTC: February
  EXPECT_EQ(issue_month(issue_created("2023-12-31T23:59:59.999+05:30")), "2023-12");
  EXPECT_EQ(issue_month(issue_created("2024-03-01T00:00:00Z")), "2024-03");
  std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(now_utc())};
  char current[16];
  std::snprintf(current, sizeof current, "%04d-%02u", static_cast<int>(today.year()),
                static_cast<unsigned>(today.month()));
  EXPECT_EQ(issue_month(issue_created("yesterday")), current);
  EXPECT_EQ(issue_month(issue_created(nullptr)), current);
  EXPECT_EQ(
      issue_rows(issue_created("2024-02-01T00:30:00.000+0100"), context()).tables[kIssues][0][18],
      Value("2024-01-31T23:30:00.000000Z"));
}

TEST(JiraIssueRows, AnSlaFieldAnsweredWithAnErrorMessageGivesNulls) {
  Json document = recorded_issue();
  document["fields"]["customfield_10328"] = {{"errorMessage", "You need a JSM agent licence"}};
  document["fields"]["customfield_10161"] = {{"id", "2"}, {"completedCycles", Json::array()}};
  Row issue = issue_rows(document, context()).tables[kIssues][0];
  for (size_t column = 40; column <= 45; ++column)
    EXPECT_TRUE(issue[column].is_null()) << jira_tables()[kIssues].schema.columns[column].name;
}

TEST(JiraIssueRows, MissingFieldsAndUnconfiguredCustomFieldsGiveNulls) {
  Json document = recorded_issue();
  RowContext bare{"", {}, {}};
  Row issue = issue_rows(document, bare).tables[kIssues][0];
  const auto& columns = jira_tables()[kIssues].schema.columns;
  for (size_t column = 26; column <= 46; ++column)
    EXPECT_TRUE(issue[column].is_null()) << columns[column].name;
  EXPECT_TRUE(issue[2].is_null()) << "issue_url without a base URL";

  Json minimal = {{"key", "SUPPORT-2"}, {"fields", Json::object()}};
  IssueRows rows = issue_rows(minimal, context());
  const Row& row = rows.tables[kIssues][0];
  ASSERT_EQ(row.size(), columns.size());
  for (size_t column = 0; column < columns.size(); ++column) {
    const std::string& name = columns[column].name;
    if (name == "issue_key" || name == "issue_url" || name == "_raw_file") continue;
    if (name == "attachment_count" || name == "issuelink_count") {
      EXPECT_EQ(row[column], Value(int64_t{0})) << name;
    } else {
      EXPECT_TRUE(row[column].is_null()) << name << " = " << row[column].to_string();
    }
  }
  for (size_t table = 1; table < kTableCount; ++table)
    EXPECT_TRUE(rows.tables[table].empty()) << jira_tables()[table].name;
}

TEST(JiraIssueRows, FieldsOfAnUnexpectedShapeGiveNullsInsteadOfErrors) {
  Json document = recorded_issue();
  Json& fields = document["fields"];
  fields["status"] = "Open";
  fields["created"] = 1706743800000;
  fields["labels"] = "not-a-list";
  fields["comment"] = Json::array({1, 2});
  fields["attachment"] = {{"id", "1"}};
  fields["issuelinks"] = Json::array({"x", {{"id", "9"}}});
  fields["customfield_10157"] = "five stars";
  fields["customfield_10328"] = Json::array();
  document["changelog"] = "none";
  document["_remote_links"] = {{"error", "forbidden"}};
  IssueRows rows = issue_rows(document, context());
  const Row& issue = rows.tables[kIssues][0];
  EXPECT_TRUE(issue[6].is_null());   // status
  EXPECT_TRUE(issue[18].is_null());  // created_at
  EXPECT_EQ(issue[22], Value(R"(["not-a-list"])"));
  EXPECT_TRUE(issue[24].is_null());  // comment_count
  EXPECT_EQ(issue[23], Value(int64_t{0}));
  EXPECT_TRUE(issue[39].is_null());  // satisfaction
  EXPECT_TRUE(issue[41].is_null());  // first_response_goal_millis
  EXPECT_TRUE(rows.tables[kComments].empty());
  EXPECT_TRUE(rows.tables[kAttachments].empty());
  EXPECT_TRUE(rows.tables[kChangelog].empty());
  EXPECT_TRUE(rows.tables[kIssueLinks].empty());  // a link without a linked issue
  EXPECT_TRUE(rows.tables[kRemoteLinks].empty());
}

TEST(JiraIssueRows, ADocumentThatIsNotAnIssueIsADataErrorNamingTheField) {
  EXPECT_NE(testing::thrown_message(ErrorKind::kData, [] { issue_rows(Json::array(), context()); })
                .find("'key'"),
            std::string::npos);
  EXPECT_NE(testing::thrown_message(
                ErrorKind::kData,
                [] {
                  issue_rows({{"key", "../../etc"}, {"fields", Json::object()}}, context());
                })
                .find("../../etc"),
            std::string::npos);
  EXPECT_NE(testing::thrown_message(ErrorKind::kData,
                                    [] {
                                      issue_rows({{"key", "SUPPORT-3"}}, context());
                                    })
                .find("SUPPORT-3"),
            std::string::npos);
  Json document = recorded_issue();
  document["fields"]["attachment"][0]["id"] = "../1";
  EXPECT_NE(testing::thrown_message(ErrorKind::kData, [&] { issue_rows(document, context()); })
                .find("SUPPORT-14991"),
            std::string::npos);
}

}  // namespace
}  // namespace da::connectors::jira
