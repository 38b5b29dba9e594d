// The outbox: a delivery per linked channel, claimed with a lease, retried with backoff, failed
// for good after its attempts, expired, acknowledged and replayed; Telegram link codes.
#include "da/notify/outbox.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/identity/api_token_store.hpp"
#include "da/identity/user_store.hpp"
#include "da/notify/image_store.hpp"
#include "da/notify/telegram_links.hpp"
#include "da/module/module_registry.hpp"
#include "da/store/state_store.hpp"

namespace da::notify {
namespace {

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ModuleRegistry modules;  // the Telegram and desktop channel modules
    register_all_modules(modules);
    store_ = std::make_unique<store::StateStore>(dir_ / "state.db");
    ana_ = identity::UserStore(db()).ensure("ana@example.com", {}).id;
    bob_ = identity::UserStore(db()).ensure("bob@example.com", {}).id;
  }
  store::SqliteDatabase& db() { return store_->database(); }
  void link_telegram(int64_t user, int64_t chat) {
    TelegramLinks links(db());
    ASSERT_TRUE(links.redeem(links.issue_code(chat), user));
  }
  void link_desktop(int64_t user) {
    identity::ApiTokenStore(db()).create_refresh(user, std::chrono::hours(24));
  }
  Notification send(int64_t user, const std::string& title = "t") {
    NewNotification notification;
    notification.user_id = user;
    notification.title = title;
    notification.message = "m";
    notification.source = "test";
    return outbox().enqueue(notification);
  }
  Outbox outbox() { return Outbox(db(), policy_); }
  static std::string status_of(const Notification& n, Channel channel) {
    for (const auto& delivery : n.deliveries)
      if (delivery.channel == channel) return delivery.status;
    return "none";
  }

  testing::TempDir dir_;
  std::unique_ptr<store::StateStore> store_;
  int64_t ana_ = 0, bob_ = 0;
  OutboxPolicy policy_{3, std::chrono::seconds(0), std::chrono::seconds(0),
                       std::chrono::hours(72), std::chrono::seconds(60)};
};

TEST_F(OutboxTest, ADeliveryPerLinkedChannel) {
  EXPECT_TRUE(send(ana_).deliveries.empty());
  link_telegram(ana_, 42);
  link_desktop(ana_);
  auto both = send(ana_);
  EXPECT_EQ(status_of(both, "telegram"), "pending");
  EXPECT_EQ(status_of(both, "desktop"), "pending");
  NewNotification only_desktop;
  only_desktop.user_id = ana_;
  only_desktop.source = "test";
  only_desktop.channels = {"desktop"};
  EXPECT_EQ(outbox().enqueue(only_desktop).deliveries.size(), 1u);
  NewNotification nobody;
  nobody.user_id = 999;
  EXPECT_THROW(outbox().enqueue(nobody), Error);
}

TEST_F(OutboxTest, OneChannelNeverWaitsForAnother) {
  link_telegram(ana_, 42);
  link_desktop(ana_);
  auto sent = send(ana_);
  auto claimed = outbox().claim_due("telegram", 10);
  ASSERT_EQ(claimed.size(), 1u);
  outbox().mark_failed(sent.id, "telegram", "Telegram is down", true);
  // The desktop side is untouched by the Telegram failure.
  auto replay = outbox().unacknowledged("desktop", ana_, 0, 10);
  ASSERT_EQ(replay.size(), 1u);
  EXPECT_EQ(status_of(*outbox().find(sent.id), "telegram"), "failed");
  EXPECT_EQ(status_of(*outbox().find(sent.id), "desktop"), "pending");
}

TEST_F(OutboxTest, AClaimKeepsOtherWorkersAwayUntilItsLeaseEnds) {
  link_telegram(ana_, 42);
  send(ana_);
  EXPECT_EQ(outbox().claim_due("telegram", 10).size(), 1u);
  EXPECT_TRUE(outbox().claim_due("telegram", 10).empty()) << "claimed twice";
  db().execute("UPDATE notification_deliveries SET claimed_until = 0");  // the lease ran out
  EXPECT_EQ(outbox().claim_due("telegram", 10).size(), 1u) << "a dead worker's claim";
}

TEST_F(OutboxTest, RetriesUntilTheAttemptsAreSpent) {
  link_telegram(ana_, 42);
  auto sent = send(ana_);
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto claimed = outbox().claim_due("telegram", 10);
    ASSERT_EQ(claimed.size(), 1u) << "attempt " << attempt;
    outbox().mark_failed(sent.id, "telegram", "HTTP 502");
  }
  auto after = *outbox().find(sent.id);
  EXPECT_EQ(status_of(after, "telegram"), "failed");
  EXPECT_EQ(after.deliveries[0].attempts, 3);
  EXPECT_EQ(after.deliveries[0].last_error.value_or(""), "HTTP 502");
  EXPECT_TRUE(outbox().claim_due("telegram", 10).empty());
}

TEST_F(OutboxTest, RetryAfterAndBackoffPostponeTheNextAttempt) {
  link_telegram(ana_, 42);
  auto sent = send(ana_);
  outbox().claim_due("telegram", 10);
  outbox().mark_failed(sent.id, "telegram", "429", false, std::chrono::seconds(30));
  EXPECT_TRUE(outbox().claim_due("telegram", 10).empty());
  db().execute("UPDATE notification_deliveries SET next_attempt_at = 0");
  auto claimed = outbox().claim_due("telegram", 10);
  ASSERT_EQ(claimed.size(), 1u);
  outbox().mark_sent(sent.id, "telegram");
  EXPECT_EQ(status_of(*outbox().find(sent.id), "telegram"), "sent");
}

TEST_F(OutboxTest, UndeliveredNotificationsExpire) {
  link_telegram(ana_, 42);
  auto sent = send(ana_);
  db().execute("UPDATE notifications SET expires_at = 1");
  EXPECT_TRUE(outbox().claim_due("telegram", 10).empty());
  EXPECT_EQ(status_of(*outbox().find(sent.id), "telegram"), "expired");
}

TEST_F(OutboxTest, ExpiredNotificationsArePurgedWithTheImagesOnlyTheyUsed) {
  NewNotification with_image;
  with_image.user_id = ana_;
  with_image.source = "test";
  with_image.image = "a.png";
  auto old_one = outbox().enqueue(with_image);
  with_image.image = "shared.png";
  auto old_shared = outbox().enqueue(with_image);
  auto recent_shared = outbox().enqueue(with_image);
  db().prepare("UPDATE notifications SET expires_at = 1 WHERE id IN (?, ?)")
      .bind_all(old_one.id, old_shared.id)
      .run();
  EXPECT_EQ(outbox().purge(std::chrono::hours(1)), std::vector<std::string>{"a.png"});
  EXPECT_FALSE(outbox().find(old_one.id));
  EXPECT_FALSE(outbox().find(old_shared.id));
  EXPECT_TRUE(outbox().find(recent_shared.id));
}

TEST_F(OutboxTest, DesktopReplayIsEverythingUnacknowledgedAfterTheClientsLastId) {
  link_desktop(ana_);
  link_desktop(bob_);
  auto first = send(ana_, "first");
  auto second = send(ana_, "second");
  send(bob_, "not ana's");
  auto replay = outbox().unacknowledged("desktop", ana_, 0, 10);
  ASSERT_EQ(replay.size(), 2u);
  EXPECT_EQ(replay[0].title, "first");
  EXPECT_EQ(outbox().unacknowledged("desktop", ana_, first.id, 10).size(), 1u);
  EXPECT_FALSE(outbox().acknowledge("desktop", bob_, first.id)) << "acknowledged someone else's";
  EXPECT_TRUE(outbox().acknowledge("desktop", ana_, first.id));
  replay = outbox().unacknowledged("desktop", ana_, 0, 10);
  ASSERT_EQ(replay.size(), 1u);
  EXPECT_EQ(replay[0].id, second.id);
}

TEST_F(OutboxTest, RefusesAChannelNoModuleRegisteredNamingTheRegisteredOnes) {
  link_telegram(ana_, 42);
  NewNotification notification;
  notification.user_id = ana_;
  notification.title = "t";
  notification.source = "test";
  notification.channels = {"carrier_pigeon"};
  try {
    outbox().enqueue(notification);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRequest);
    EXPECT_NE(std::string(e.what()).find("notification channel 'carrier_pigeon' is not "
                                         "registered (registered: desktop, telegram)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(outbox().recent(10).empty()) << "stored a notification for an unknown channel";
  EXPECT_THROW(outbox().claim_due("carrier_pigeon", 10), Error);
  EXPECT_THROW(outbox().mark_sent(1, "carrier_pigeon"), Error);
}

TEST_F(OutboxTest, DeliversOnAnyChannelAModuleRegisters) {
  ChannelRegistry channels;
  int64_t reachable = ana_;
  channels.add({"pager", [reachable](store::SqliteDatabase&, int64_t user) {
                  return user == reachable;
                }});
  Outbox paging(db(), policy_, channels);
  NewNotification notification;
  notification.user_id = bob_;
  notification.title = "t";
  notification.source = "test";
  EXPECT_TRUE(paging.enqueue(notification).deliveries.empty()) << "bob has no pager";
  notification.user_id = ana_;
  Notification sent = paging.enqueue(notification);
  ASSERT_EQ(sent.deliveries.size(), 1u);
  EXPECT_EQ(sent.deliveries[0].channel, "pager");
  ASSERT_EQ(paging.claim_due("pager", 10).size(), 1u);
  paging.mark_sent(sent.id, "pager");
  EXPECT_EQ(status_of(*paging.find(sent.id), "pager"), "sent");
}

TEST_F(OutboxTest, TelegramCodesLinkOnceAndExpire) {
  TelegramLinks links(db());
  std::string code = links.issue_code(42);
  EXPECT_EQ(code.size(), 6u);
  EXPECT_EQ(code.find_first_not_of("0123456789"), std::string::npos);
  std::string newer = links.issue_code(42);
  EXPECT_FALSE(links.redeem(code, ana_)) << "a chat's older code still worked";
  EXPECT_EQ(links.redeem(newer, ana_), 42);
  EXPECT_FALSE(links.redeem(newer, bob_)) << "a code worked twice";
  EXPECT_EQ(links.chat_of(ana_), 42);
  EXPECT_EQ(links.user_of_chat(42), ana_);
  std::string expiring = links.issue_code(7);
  db().execute("UPDATE telegram_codes SET expires_at = 1");
  EXPECT_FALSE(links.redeem(expiring, bob_));
  EXPECT_TRUE(links.unlink(ana_));
  EXPECT_FALSE(links.chat_of(ana_));
}

TEST(ImageStore, KeepsImagesUnderUnguessableNamesAndRefusesTheRest) {
  testing::TempDir dir;
  ImageStore images(dir / "images");
  std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "rest";
  std::string name = images.put(png);
  EXPECT_EQ(name.size(), 36u);
  EXPECT_NE(images.put(png), name);
  EXPECT_TRUE(images.path_of(name));
  EXPECT_FALSE(images.path_of("../state.db"));
  EXPECT_FALSE(images.path_of(std::string(32, 'a') + ".png"));
  EXPECT_THROW(images.put("<html>"), Error);
  EXPECT_TRUE(images.remove(name));
  EXPECT_FALSE(images.path_of(name));
  EXPECT_FALSE(images.remove("../state.db"));
}

}  // namespace
}  // namespace da::notify
