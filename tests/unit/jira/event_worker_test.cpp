// The worker's batch against the fake Jira Cloud: one fetch per issue however many events name
// it, documents, attachments and rows written, only jira:issue_deleted deleting, and failures
// back in the queue.
#include "jira/worker/event_worker.hpp"

#include "fakes/jira/fake_jira.hpp"
#include "jira/raw/issue_store.hpp"
#include "jira/webhook/event_queue.hpp"
#include "support/parquet_column.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/atomic_file.hpp"
#include "da/store/state_store.hpp"

namespace da::connectors::jira {
namespace {

namespace fs = std::filesystem;

class EventWorkerTest : public ::testing::Test {
 protected:
  EventWorkerTest() : store_(temp_ / "data" / "state.db") {
    settings_.configured = true;
    settings_.account = {jira_.url(), "bot@example.com", "jira-token"};
    settings_.webhook_secret = "secret";
    settings_.retries = 0;
    jira_.add_issue(issue("SUPPORT-1", 2));
    jira_.add_issue(issue("SUPPORT-2", 1));
    jira_.add_issue(issue("OPS-3", 0));
  }

  // An issue with `comments` comments; SUPPORT-1 has an attachment.
  static fakes::FakeJiraIssue issue(const std::string& key, int comments) {
    fakes::FakeJiraIssue issue;
    issue.key = key;
    issue.summary = "Summary of " + key;
    issue.comments = comments;
    if (key == "SUPPORT-1") {
      fakes::FakeJiraAttachment attachment;
      attachment.filename = "smoke report.txt";
      attachment.content = "smoke";
      issue.attachments.push_back(attachment);
    }
    return issue;
  }

  EventQueue queue() { return EventQueue(store_.database()); }

  void enqueue(const std::string& event, const std::string& key) {
    queue().enqueue({event,
                     event == "jira:issue_deleted" ? EventAction::kDelete : EventAction::kFetch,
                     key, "{}"});
  }

  BatchReport drain() {
    EventQueue events = queue();
    EventWorker worker(settings_, temp_ / "data");
    return worker.apply(events.claim(500), events);
  }

  // The issue keys of a published table.
  std::vector<std::string> keys_in(const std::string& table) {
    return testing::parquet_column(temp_ / "data" / "parquet" / "jira" / table, "issue_key", true);
  }

  // The values of `column` of a published table, sorted.
  std::vector<std::string> column_of(const std::string& table, const std::string& column) {
    return testing::parquet_column(temp_ / "data" / "parquet" / "jira" / table, column);
  }

  std::vector<std::string> states() {
    std::vector<std::string> found;
    for (const EventRecord& record : queue().recent(100))
      found.insert(found.begin(), record.issue_key + " " + record.state);
    return found;
  }

  fakes::FakeJira jira_{"bot@example.com", "jira-token"};
  testing::TempDir temp_;
  store::StateStore store_;
  JiraSettings settings_;
};

TEST_F(EventWorkerTest, ABurstOfEventsFetchesEachIssueOnceAndWritesDocumentsAttachmentsAndRows) {
  for (int i = 0; i < 5; ++i)
    enqueue("jira:issue_updated", "SUPPORT-1");
  enqueue("comment_created", "SUPPORT-2");
  BatchReport report = drain();
  EXPECT_EQ(report.issues_written, 2);
  EXPECT_EQ(report.events_done, 6);
  EXPECT_EQ(report.events_failed, 0);
  EXPECT_EQ(jira_.requests_to("/rest/api/3/issue/SUPPORT-1/remotelink"), 1) << "one fetch";
  IssueStore documents(temp_ / "data");
  EXPECT_EQ(documents.keys(), (std::vector<std::string>{"SUPPORT-1", "SUPPORT-2"}));
  EXPECT_EQ((*documents.get("SUPPORT-1"))["fields"]["summary"], "Summary of SUPPORT-1");
  EXPECT_EQ(keys_in("issues"), (std::vector<std::string>{"SUPPORT-1", "SUPPORT-2"}));
  EXPECT_EQ(keys_in("comments"), (std::vector<std::string>{"SUPPORT-1", "SUPPORT-2"}));
  fs::path attachments = temp_ / "data" / "raw" / "jira" / "attachments" / "0" / "001";
  ASSERT_TRUE(fs::is_directory(attachments));
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(attachments))
    files.push_back(entry.path().filename());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].substr(files[0].find('_')), "_smoke report.txt");
  EXPECT_EQ(read_file(attachments / files[0]), "smoke");
  EXPECT_EQ(column_of("attachments", "local_path"),
            std::vector<std::string>{(attachments / files[0]).string()})
      << "downloaded before its row was made";
  EXPECT_EQ(states(),
            (std::vector<std::string>{"SUPPORT-1 done", "SUPPORT-1 done", "SUPPORT-1 done",
                                      "SUPPORT-1 done", "SUPPORT-1 done", "SUPPORT-2 done"}));
}

TEST_F(EventWorkerTest, OnlyIssueDeletedRemovesTheIssueAPartsDeletionFetchesItAgain) {
  enqueue("jira:issue_created", "SUPPORT-1");
  enqueue("jira:issue_created", "OPS-3");
  drain();
  ASSERT_EQ(keys_in("issues"), (std::vector<std::string>{"OPS-3", "SUPPORT-1"}));
  jira_.delete_issue("OPS-3");
  enqueue("comment_deleted", "SUPPORT-1");
  enqueue("issuelink_deleted", "SUPPORT-1");
  enqueue("jira:issue_deleted", "OPS-3");
  BatchReport report = drain();
  EXPECT_EQ(report.issues_deleted, 1);
  EXPECT_EQ(report.issues_written, 1);
  EXPECT_EQ(keys_in("issues"), (std::vector<std::string>{"SUPPORT-1"}));
  IssueStore documents(temp_ / "data");
  EXPECT_TRUE((*documents.get("OPS-3")).contains("_deleted_at"));
  EXPECT_FALSE((*documents.get("SUPPORT-1")).contains("_deleted_at"));
}

TEST_F(EventWorkerTest, AnIssueJiraKeepsFailingGoesBackToTheQueueAndTheOthersAreDone) {
  jira_.fail_requests("/rest/api/3/issue/SUPPORT-2", 100, 500);
  enqueue("jira:issue_updated", "SUPPORT-1");
  enqueue("jira:issue_updated", "SUPPORT-2");
  enqueue("jira:issue_updated", "NOPE-9");
  BatchReport report = drain();
  EXPECT_EQ(report.issues_written, 1);
  EXPECT_EQ(report.events_failed, 2);
  EXPECT_EQ(states(),
            (std::vector<std::string>{"SUPPORT-1 done", "SUPPORT-2 pending", "NOPE-9 pending"}));
  QueueHealth health = queue().health();
  ASSERT_TRUE(health.last_error.has_value());
  EXPECT_EQ(health.last_error->issue_key, "NOPE-9");
  EXPECT_NE(health.last_error->last_error->find("Jira answers 404 for NOPE-9"), std::string::npos)
      << *health.last_error->last_error;
  EXPECT_EQ(keys_in("issues"), (std::vector<std::string>{"SUPPORT-1"}));
}

}  // namespace
}  // namespace da::connectors::jira
