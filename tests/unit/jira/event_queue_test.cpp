#include "jira/webhook/event_queue.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/store/state_store.hpp"

namespace da::connectors::jira {
namespace {

constexpr int64_t kSecond = 1'000'000;

class EventQueueTest : public ::testing::Test {
 protected:
  EventQueueTest() : store_(temp_ / "state.db") {}

  // A queue whose clock is `now_` (epoch microseconds), with a 60 s lease and 3 attempts.
  EventQueue queue() {
    QueuePolicy policy;
    policy.max_attempts = 3;
    policy.first_retry = std::chrono::seconds(10);
    policy.max_retry = std::chrono::seconds(15);
    policy.lease = std::chrono::seconds(60);
    policy.now = [this] { return now_; };
    return EventQueue(store_.database(), policy);
  }

  int64_t enqueue(const std::string& key, EventAction action = EventAction::kFetch) {
    return queue().enqueue(
        {"jira:issue_updated", action, key, R"({"issue":{"key":")" + key + "\"}}"});
  }

  std::string state_of(int64_t id) { return record_of(id).state; }

  EventRecord record_of(int64_t id) {
    for (const EventRecord& record : queue().recent(100))
      if (record.id == id) return record;
    ADD_FAILURE() << "no event " << id;
    return {};
  }

  testing::TempDir temp_;
  store::StateStore store_;
  int64_t now_ = 1'800'000'000 * kSecond;
};

TEST_F(EventQueueTest, AClaimTakesTheDueEventsOldestFirstAndMarksThemProcessing) {
  int64_t first = enqueue("SUPPORT-1");
  int64_t second = enqueue("SUPPORT-2", EventAction::kDelete);
  enqueue("SUPPORT-3");
  std::vector<QueuedEvent> batch = queue().claim(2);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].id, first);
  EXPECT_EQ(batch[0].issue_key, "SUPPORT-1");
  EXPECT_EQ(batch[0].attempts, 1);
  EXPECT_EQ(batch[0].received_at, now_);
  EXPECT_EQ(batch[1].id, second);
  EXPECT_EQ(batch[1].action, EventAction::kDelete);
  EXPECT_EQ(state_of(first), "processing");
  EXPECT_EQ(queue().claim(10).size(), 1u);
  EXPECT_TRUE(queue().claim(10).empty());
  QueueHealth health = queue().health();
  EXPECT_EQ(health.processing, 3);
  EXPECT_EQ(health.pending, 0);
}

TEST_F(EventQueueTest, CompletedEventsAreDoneAndPrunedOnlyWhenOldEnough) {
  int64_t id = enqueue("SUPPORT-1");
  queue().claim(10);
  queue().complete({id});
  EXPECT_EQ(state_of(id), "done");
  EXPECT_EQ(record_of(id).processed_at, now_);
  now_ += 3600 * kSecond;
  EXPECT_EQ(queue().prune_done(std::chrono::hours(2)), 0);
  now_ += 3600 * kSecond + 1;
  EXPECT_EQ(queue().prune_done(std::chrono::hours(2)), 1);
  EXPECT_EQ(queue().health().done, 0);
}

TEST_F(EventQueueTest, AFailedAttemptWaitsABackoffThatGrowsToItsCapThenTheEventFailsForGood) {
  int64_t id = enqueue("SUPPORT-1");
  queue().claim(10);
  queue().fail({id}, "Jira answered 503");
  EventRecord record = record_of(id);
  EXPECT_EQ(record.state, "pending");
  EXPECT_EQ(record.next_attempt_at, now_ + 10 * kSecond);
  EXPECT_EQ(record.last_error, "Jira answered 503");
  EXPECT_TRUE(queue().claim(10).empty()) << "not due before its backoff";
  now_ += 10 * kSecond;
  ASSERT_EQ(queue().claim(10).size(), 1u);
  queue().fail({id}, "Jira answered 503 again");
  EXPECT_EQ(record_of(id).next_attempt_at, now_ + 15 * kSecond) << "20 s capped at 15 s";
  now_ += 15 * kSecond;
  ASSERT_EQ(queue().claim(10).size(), 1u);
  queue().fail({id}, "Jira answered 500");
  record = record_of(id);
  EXPECT_EQ(record.state, "failed");
  EXPECT_EQ(record.attempts, 3);
  QueueHealth health = queue().health();
  EXPECT_EQ(health.failed, 1);
  ASSERT_TRUE(health.last_error.has_value());
  EXPECT_EQ(health.last_error->last_error, "Jira answered 500");
  now_ += 3600 * kSecond;
  EXPECT_TRUE(queue().claim(10).empty()) << "a failed event waits for an administrator";
  EXPECT_EQ(queue().retry_failed(), 1);
  std::vector<QueuedEvent> again = queue().claim(10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 1);
}

TEST_F(EventQueueTest, ACrashedWorkersClaimIsPendingAgainAfterItsLease) {
  int64_t id = enqueue("SUPPORT-1");
  ASSERT_EQ(queue().claim(10).size(), 1u);
  now_ += 59 * kSecond;
  EXPECT_TRUE(queue().claim(10).empty()) << "still leased";
  now_ += 1 * kSecond;
  std::vector<QueuedEvent> again = queue().claim(10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, id);
  EXPECT_EQ(again[0].attempts, 2);
  // An event that keeps killing the worker stops being retried after its attempts.
  now_ += 60 * kSecond;
  ASSERT_EQ(queue().claim(10).size(), 1u);
  now_ += 60 * kSecond;
  EXPECT_TRUE(queue().claim(10).empty());
  EventRecord record = record_of(id);
  EXPECT_EQ(record.state, "failed");
  EXPECT_EQ(record.last_error, "the worker stopped while processing it, 3 time(s)");
}

TEST_F(EventQueueTest, HealthGivesTheNewestEventAndTheOldestPendingOne) {
  EXPECT_FALSE(queue().health().newest_received_at.has_value());
  EXPECT_FALSE(queue().next_due().has_value());
  int64_t start = now_;
  enqueue("SUPPORT-1");
  now_ += 5 * kSecond;
  enqueue("SUPPORT-2");
  QueueHealth health = queue().health();
  EXPECT_EQ(health.pending, 2);
  EXPECT_EQ(health.newest_received_at, now_);
  EXPECT_EQ(health.oldest_pending_received_at, start);
  EXPECT_EQ(queue().next_due(), start);
}

}  // namespace
}  // namespace da::connectors::jira
