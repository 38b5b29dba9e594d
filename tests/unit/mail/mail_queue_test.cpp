// Mail goes out in the background: callers never wait on the relay, failures are retried and
// then recorded for administrators, and nothing waiting is forgotten silently at a stop.
#include "da/mail/mail_queue.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/mail/mail_log.hpp"
#include "da/store/state_store.hpp"

namespace da::mail {
namespace {

using namespace std::chrono_literals;

class MailQueueTest : public ::testing::Test {
 protected:
  MailQueueOptions options(int senders = 1) {
    MailQueueOptions options;
    options.state_db = temp_ / "state.db";
    options.senders = senders;
    options.first_retry = 10ms;
    options.max_attempts = 3;
    return options;
  }
  std::vector<MailRecord> records() {
    store::StateStore store(temp_ / "state.db");
    return MailLog(store.database()).recent(100);
  }
  static net::MailMessage message(const std::string& to) {
    return {to, "Sign in", "link: https://example.com/login/email/verify/secret", ""};
  }

  testing::TempDir temp_;
};

TEST_F(MailQueueTest, CallersReturnAtOnceWhileTheRelayStalls) {
  std::atomic<bool> release{false};
  MailQueue queue(options(2), [&](const net::MailMessage&) {
    while (!release)
      std::this_thread::sleep_for(5ms);
  });
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i)
    queue.enqueue(message("user" + std::to_string(i) + "@example.com"), "magic_link");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_EQ(records().size(), 20u);
  EXPECT_EQ(records()[0].status, "queued");
  release = true;
  ASSERT_TRUE(queue.wait_idle(10s));
  for (const MailRecord& record : records()) {
    EXPECT_EQ(record.status, "sent");
    EXPECT_EQ(record.attempts, 1);
  }
}

TEST_F(MailQueueTest, FailuresAreRetriedThenRecordedWithTheRelaysAnswer) {
  std::atomic<int> attempts{0};
  MailQueue queue(options(), [&](const net::MailMessage&) {
    ++attempts;
    throw Error(ErrorKind::kSource, "SMTP relay answered 550 mailbox unavailable");
  });
  queue.enqueue(message("ana@example.com"), "password_set");
  ASSERT_TRUE(queue.wait_idle(10s));
  EXPECT_EQ(attempts, 3);
  auto saved = records();
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0].status, "failed");
  EXPECT_EQ(saved[0].attempts, 3);
  EXPECT_EQ(saved[0].purpose, "password_set");
  EXPECT_EQ(saved[0].last_error, "SMTP relay answered 550 mailbox unavailable");
}

TEST_F(MailQueueTest, ARetryThatSucceedsIsRecordedSent) {
  std::atomic<int> attempts{0};
  MailQueue queue(options(), [&](const net::MailMessage&) {
    if (++attempts == 1) throw Error(ErrorKind::kSource, "connection timed out");
  });
  queue.enqueue(message("ana@example.com"), "magic_link");
  ASSERT_TRUE(queue.wait_idle(10s));
  EXPECT_EQ(records()[0].status, "sent");
  EXPECT_EQ(records()[0].attempts, 2);
}

TEST_F(MailQueueTest, MailStillWaitingAtAStopIsRecordedNotSent) {
  {
    MailQueueOptions settings = options();
    settings.first_retry = 1min;
    MailQueue queue(settings, [](const net::MailMessage&) {
      throw Error(ErrorKind::kSource, "connection refused");
    });
    queue.enqueue(message("ana@example.com"), "magic_link");
    for (int i = 0; i < 200 && records()[0].attempts == 0; ++i)
      std::this_thread::sleep_for(10ms);
  }
  auto saved = records();
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0].status, "failed");
  EXPECT_EQ(saved[0].last_error, "the portal stopped before the mail could be sent");
}

TEST_F(MailQueueTest, MailAKilledProcessLeftQueuedIsRecordedFailedAtTheNextStart) {
  {
    store::StateStore store(temp_ / "state.db");
    MailLog log(store.database());
    log.record_queued("old@example.com", "Sign in", "magic_link");
    log.record_queued("new@example.com", "Sign in", "magic_link");
    store.database()
        .prepare("UPDATE mail_deliveries SET created_at = created_at - ? WHERE recipient = ?")
        .bind_all(int64_t{20} * 60 * 1'000'000, "old@example.com")
        .run();
  }
  MailQueue queue(options(), [](const net::MailMessage&) {});
  auto saved = records();
  ASSERT_EQ(saved.size(), 2u);
  EXPECT_EQ(saved[1].recipient, "old@example.com");
  EXPECT_EQ(saved[1].status, "failed");
  EXPECT_EQ(saved[0].status, "queued");  // recent: another portal may still be sending it
}

TEST_F(MailQueueTest, AFullQueueRefusesWithAConflict) {
  MailQueueOptions settings = options();
  settings.capacity = 2;
  std::atomic<bool> release{false};
  MailQueue queue(settings, [&](const net::MailMessage&) {
    while (!release)
      std::this_thread::sleep_for(5ms);
  });
  queue.enqueue(message("a@example.com"), "magic_link");
  std::this_thread::sleep_for(50ms);  // the sender holds the first one
  queue.enqueue(message("b@example.com"), "magic_link");
  // The message being sent counts: two are held, so a third is refused.
  std::string refused = testing::thrown_message(
      ErrorKind::kConflict, [&] { queue.enqueue(message("c@example.com"), "magic_link"); });
  release = true;
  EXPECT_NE(refused.find("2 messages"), std::string::npos) << refused;
  EXPECT_TRUE(queue.wait_idle(10s));
}

}  // namespace
}  // namespace da::mail
