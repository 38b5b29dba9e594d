// The Telegram bot against the fake Bot API, with the portal: linking end to end, every
// command and the Run button, delivery with MarkdownV2 that Telegram accepts, photos, 429 and
// 5xx retried, a blocked chat failed for good, and a restart that loses and repeats nothing.
#include "telegram_bot/telegram_bot.hpp"

#include <regex>

#include "fakes/telegram/fake_telegram.hpp"
#include "portal_fixture.hpp"

#include "da/common/crypto.hpp"
#include "da/identity/user_store.hpp"
#include "da/notify/image_store.hpp"
#include "da/notify/notifications_settings.hpp"
#include "da/notify/outbox.hpp"
#include "da/notify/script_store.hpp"
#include "da/notify/telegram_links.hpp"
#include "da/store/state_store.hpp"

namespace da::web {
namespace {

using Json = nlohmann::json;
using services::telegram_bot::BotApi;
using services::telegram_bot::TelegramBot;

constexpr const char* kToken = "123456:test-token";
constexpr int64_t kChat = 5550001;

class TelegramBotTest : public PortalFixture {
 protected:
  std::string extra_yaml() const override {
    return "telegram: {bot_username: da_test_bot, bot_token: \"123456:test-token\"}\n";
  }

  void SetUp() override {
    PortalFixture::SetUp();
    telegram_.set_max_long_poll(std::chrono::milliseconds(200));
  }

  TelegramBot bot() { return TelegramBot(config_, BotApi(telegram_.api_base(), kToken)); }
  // Sends `text` from the chat and lets the bot handle it; returns the bot's reply.
  std::string say(const std::string& text) {
    std::size_t before = telegram_.sent().size();
    telegram_.push_message(kChat, text);
    EXPECT_EQ(bot().poll_once(std::chrono::seconds(0)), 1);
    auto sent = telegram_.sent();
    EXPECT_EQ(sent.size(), before + 1) << text;
    return sent.size() > before ? sent.back().rendered_text : "";
  }
  // Links kChat to ana@example.com through the dashboard form; returns the session cookies.
  std::string link() {
    std::string welcome = say("/start");
    std::smatch code;
    EXPECT_TRUE(std::regex_search(welcome, code, std::regex("code: (\\d{6})"))) << welcome;
    std::string cookies = sign_in("ana@example.com");
    auto linked = call("POST", "/telegram/link", cookies,
                       "code=" + code[1].str() + "&csrf_token=" + csrf_of(cookies),
                       "application/x-www-form-urlencoded");
    EXPECT_EQ(linked.header("location"), "/dashboard?notice=telegram_linked");
    return cookies;
  }
  store::StateStore state() { return store::StateStore(config_.paths.state_db); }
  int64_t ana() {
    auto store = state();
    return identity::UserStore(store.database()).find_by_email("ana@example.com")->id;
  }
  notify::Notification queue(const std::string& title, const std::string& message,
                             std::optional<std::string> image = std::nullopt) {
    auto store = state();
    notify::NewNotification notification;
    notification.user_id = ana();
    notification.title = title;
    notification.message = message;
    notification.image = image;
    notification.source = "test";
    return notify::Outbox(store.database()).enqueue(notification);
  }
  std::string status_of(int64_t id) {
    auto store = state();
    auto found = notify::Outbox(store.database()).find(id);
    return found && !found->deliveries.empty() ? found->deliveries[0].status : "none";
  }

  da::fakes::FakeTelegram telegram_{kToken};
};

TEST_F(TelegramBotTest, LinkingWithTheCodeTheBotGave) {
  EXPECT_NE(say("/whoami").find("No linked account"), std::string::npos);
  std::string cookies = link();
  // The welcome message goes through the outbox.
  EXPECT_EQ(bot().deliver_once(), 1);
  EXPECT_EQ(telegram_.sent().back().rendered_text,
            "Telegram linked\nYou will receive Test notifications here.");
  EXPECT_NE(say("/whoami").find("linked as ana_example_com (ana@example.com)"), std::string::npos);
  EXPECT_NE(say("/start").find("already linked"), std::string::npos);
  auto status = Json::parse(call("GET", "/api/telegram/status", cookies).body);
  EXPECT_EQ(status["linked"], true);
  EXPECT_NE(call("GET", "/dashboard", cookies).body.find("Unlink Telegram"), std::string::npos);
  auto unlinked = call("POST", "/api/telegram/unlink", cookies, "", "application/json",
                       {{"X-CSRF-Token", csrf_of(cookies)}});
  EXPECT_EQ(unlinked.status, 200) << unlinked.body;
  EXPECT_NE(say("/whoami").find("No linked account"), std::string::npos);
}

TEST_F(TelegramBotTest, WrongCodesAreRateLimited) {
  say("/start");
  std::string cookies = sign_in("ana@example.com");
  std::string csrf = csrf_of(cookies);
  int refused = 0, limited = 0;
  for (int i = 0; i < 7; ++i) {
    auto answer = call("POST", "/api/telegram/verify", cookies, Json{{"code", "000000"}}.dump(),
                       "application/json", {{"X-CSRF-Token", csrf}});
    refused += answer.status == 400;
    limited += answer.status == 429;
  }
  EXPECT_EQ(refused, 5);
  EXPECT_EQ(limited, 2);
  auto store = state();
  EXPECT_FALSE(notify::TelegramLinks(store.database()).chat_of(ana()));
}

TEST_F(TelegramBotTest, StatusListsScriptsWithRunButtonsThatQueueARun) {
  link();
  {
    auto store = state();
    notify::ScriptStore(store.database()).record_present(ana(), {"revenue_drop.py", "who.sh"});
  }
  std::string status = say("/status");
  EXPECT_NE(status.find("Notifications for ana_example_com"), std::string::npos) << status;
  EXPECT_NE(status.find("revenue_drop.py — never sent"), std::string::npos) << status;
  Json keyboard = telegram_.sent().back().reply_markup;
  ASSERT_EQ(keyboard["inline_keyboard"].size(), 2u) << keyboard.dump();
  EXPECT_EQ(keyboard["inline_keyboard"][1][0]["text"], "Run who");
  EXPECT_EQ(keyboard["inline_keyboard"][1][0]["callback_data"], "run:who.sh");

  telegram_.push_callback(kChat, "run:who.sh");
  bot().poll_once(std::chrono::seconds(0));
  ASSERT_EQ(telegram_.answered_callbacks().size(), 1u);
  EXPECT_EQ(telegram_.answered_callbacks()[0].text, "Running who.sh");
  auto store = state();
  auto requests = notify::ScriptStore(store.database()).take_requests(10);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].script, "who.sh");
  EXPECT_EQ(requests[0].requested_by, "telegram");

  telegram_.push_callback(kChat + 1, "run:who.sh");  // a chat nobody linked
  bot().poll_once(std::chrono::seconds(0));
  EXPECT_EQ(telegram_.answered_callbacks().back().text, "Account not linked");
}

TEST_F(TelegramBotTest, TestHelpAndUnknownCommands) {
  link();
  bot().deliver_once();
  EXPECT_NE(say("/test").find("on its way"), std::string::npos);
  EXPECT_EQ(bot().deliver_once(), 1);
  EXPECT_NE(telegram_.sent().back().rendered_text.find("Test notification"), std::string::npos);
  EXPECT_NE(say("/help").find("/status"), std::string::npos);
  EXPECT_NE(say("hello?").find("Unknown command"), std::string::npos);
  // In a group anyone could read /whoami or press Run: the bot answers private chats only.
  std::size_t before = telegram_.sent().size();
  telegram_.push_update({{"message",
                          {{"message_id", 1},
                           {"date", 0},
                           {"text", "/whoami"},
                           {"from", {{"id", kChat}, {"is_bot", false}, {"first_name", "Ana"}}},
                           {"chat", {{"id", -100200300}, {"type", "group"}, {"title", "team"}}}}}});
  EXPECT_EQ(bot().poll_once(std::chrono::seconds(0)), 1);
  EXPECT_EQ(telegram_.sent().size(), before);
}

TEST_F(TelegramBotTest, DeliveredTextIsEscapedSoTelegramShowsItAsWritten) {
  link();
  bot().deliver_once();
  auto sent = queue("Revenue dropped 20.5% (!)", "Check *orders* [today] - see_this_ #1 `x` > y",
                    std::nullopt);
  EXPECT_EQ(bot().deliver_once(), 1);
  EXPECT_EQ(status_of(sent.id), "sent") << ::testing::PrintToString(telegram_.errors());
  EXPECT_EQ(telegram_.sent().back().parse_mode, "MarkdownV2");
  EXPECT_EQ(telegram_.sent().back().rendered_text,
            "Revenue dropped 20.5% (!)\nCheck *orders* [today] - see_this_ #1 `x` > y");
  EXPECT_TRUE(telegram_.errors().empty()) << telegram_.errors()[0];
}

TEST_F(TelegramBotTest, PhotosAreUploaded) {
  link();
  bot().deliver_once();
  // A real 1x1 PNG: the fake, like Telegram, reads its size.
  std::string png = *base64url_decode(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII");
  std::string name =
      notify::ImageStore(notify::NotificationsSettings::from(config_).image_dir).put(png);
  auto sent = queue("Chart", "see the image", name);
  EXPECT_EQ(bot().deliver_once(), 1);
  EXPECT_EQ(status_of(sent.id), "sent");
  EXPECT_EQ(telegram_.sent().back().method, "sendPhoto");
  EXPECT_EQ(telegram_.sent().back().photo, png);
  EXPECT_EQ(telegram_.sent().back().rendered_text, "Chart\nsee the image");
}

TEST_F(TelegramBotTest, ThrottlingAndOutagesAreRetriedAndABlockedChatFailsForGood) {
  link();
  bot().deliver_once();
  auto throttled = queue("one", "x");
  telegram_.fail_next("sendMessage", 429, 30);
  bot().deliver_once();
  EXPECT_EQ(status_of(throttled.id), "pending");
  EXPECT_EQ(bot().deliver_once(), 0) << "retried before Telegram's retry_after";
  {
    auto store = state();
    store.database().execute("UPDATE notification_deliveries SET next_attempt_at = 0");
  }
  telegram_.fail_next("sendMessage", 502);
  bot().deliver_once();
  EXPECT_EQ(status_of(throttled.id), "pending");
  {
    auto store = state();
    store.database().execute("UPDATE notification_deliveries SET next_attempt_at = 0");
  }
  bot().deliver_once();
  EXPECT_EQ(status_of(throttled.id), "sent");

  telegram_.block_chat(kChat);
  auto blocked = queue("two", "y");
  bot().deliver_once();
  EXPECT_EQ(status_of(blocked.id), "failed");
}

TEST_F(TelegramBotTest, ARestartLosesNothingAndRepeatsNothing) {
  link();
  // Queued while no bot runs: the next bot delivers it.
  auto waiting = queue("while down", "x");
  EXPECT_EQ(bot().deliver_once(), 2);  // the welcome message and this one
  EXPECT_EQ(status_of(waiting.id), "sent");
  // An update handled by one bot process is not handled again by the next.
  std::size_t before = telegram_.sent().size();
  telegram_.push_message(kChat, "/help");
  bot().poll_once(std::chrono::seconds(0));
  bot().poll_once(std::chrono::seconds(0));
  EXPECT_EQ(telegram_.sent().size(), before + 1);
  EXPECT_GE(telegram_.last_confirmed_offset(), 100001);
}

TEST_F(TelegramBotTest, ImagesScriptsAndTheOutboxOnThePortal) {
  std::string cookies = sign_in("ana@example.com");
  std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "chart";
  std::string name =
      notify::ImageStore(notify::NotificationsSettings::from(config_).image_dir).put(png);
  queue("with a chart", "x", name);
  auto image = call("GET", "/api/notifications/images/" + name, cookies);
  EXPECT_EQ(image.status, 200);
  EXPECT_EQ(image.body, png);
  EXPECT_EQ(image.header("content-type"), "image/png");
  EXPECT_EQ(call("GET", "/api/notifications/images/" + name).status, 401) << "signed out";
  std::string bob = sign_in("bob@example.com");
  EXPECT_EQ(call("GET", "/api/notifications/images/" + name, bob).status, 404) << "not bob's";
  EXPECT_EQ(call("GET", "/api/notifications/images/..%2Fstate.db", cookies).status, 404);

  {
    auto store = state();
    notify::ScriptStore(store.database()).record_present(ana(), {"who.sh"});
  }
  auto scripts = Json::parse(call("GET", "/api/desktop/scripts", cookies).body);
  ASSERT_EQ(scripts.size(), 1u);
  EXPECT_EQ(scripts[0]["stem"], "who");
  std::string csrf = csrf_of(cookies);
  auto run = call("POST", "/api/desktop/scripts/run", cookies, R"({"name":"who.sh"})",
                  "application/json", {{"X-CSRF-Token", csrf}});
  EXPECT_EQ(run.status, 202) << run.body;
  auto unknown = call("POST", "/api/desktop/scripts/run", cookies, R"({"name":"nope.sh"})",
                      "application/json", {{"X-CSRF-Token", csrf}});
  EXPECT_EQ(unknown.status, 404);

  EXPECT_EQ(Json::parse(call("GET", "/api/notifications", cookies).body).size(), 1u);
  EXPECT_EQ(call("GET", "/admin/notifications", cookies).status, 403);
  {
    auto store = state();
    identity::UserStore(store.database()).grant_role("bob@example.com", "admin");
  }
  auto page = call("GET", "/admin/notifications", bob);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("with a chart"), std::string::npos);
  EXPECT_NE(page.body.find("no linked channel"), std::string::npos);
}

}  // namespace
}  // namespace da::web
