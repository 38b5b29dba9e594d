// The WebSocket gateway over real sockets: authentication (timeout, bad token, wrong issuer,
// disabled account, connection caps per user and per address), malformed messages, Origin,
// heartbeat, delivery from the outbox, ack and replay after a reconnect (and an impossible
// last_id), and two gateway processes sharing one outbox.
#include <ctime>
#include <thread>

#include "support/config_sections.hpp"
#include "support/temp_dir.hpp"
#include "support/ws_client.hpp"
#include "ws_gateway/gateway.hpp"
#include <gtest/gtest.h>

#include "da/identity/api_token_store.hpp"
#include "da/identity/desktop_settings.hpp"
#include "da/identity/jwt.hpp"
#include "da/identity/user_store.hpp"
#include "da/net/http_client.hpp"
#include "da/notify/outbox.hpp"
#include "da/module/module_registry.hpp"
#include "da/store/state_store.hpp"

namespace da::services::ws_gateway {
namespace {

using Json = nlohmann::json;
using testing::WsClient;
using testing::WsFrame;
using namespace std::chrono_literals;

class WsGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ModuleRegistry modules;  // the desktop channel module
    register_all_modules(modules);
    config_.paths.data_dir = dir_ / "data";
    config_.paths.state_db = dir_ / "data" / "state.db";
    testing::set_section(config_, "desktop",
                         "jwt_secret: " + std::string(40, 's') + "\njwt_issuer: data-analyst");
    std::filesystem::create_directories(config_.paths.data_dir);
    store::StateStore store(config_.paths.state_db);
    identity::UserStore users(store.database());
    ana_ = users.ensure("ana@example.com", {});
    family_ = identity::ApiTokenStore(store.database()).create_refresh(ana_.id, 24h).info.family;
  }

  std::unique_ptr<Gateway> start(GatewayOptions options = {}, WsServerOptions server = {}) {
    server.listen = "127.0.0.1:0";
    server.allowed_origins = {"https://data.example.com"};
    auto gateway = std::make_unique<Gateway>(config_, options, server, 20ms);
    gateway->start();
    return gateway;
  }

  std::string token(const std::string& issuer = "data-analyst") {
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    return identity::jwt_sign_hs256({{"iss", issuer},
                                     {"sub", ana_.username},
                                     {"uid", ana_.id},
                                     {"fam", family_},
                                     {"iat", now},
                                     {"exp", now + 900}},
                                    identity::DesktopSettings::from(config_).jwt_secret);
  }

  // A connected, authenticated client.
  std::unique_ptr<WsClient> signed_in(const Gateway& gateway, int64_t last_id = 0) {
    auto client = std::make_unique<WsClient>(gateway.port());
    EXPECT_TRUE(client->connected());
    client->send_text(Json{{"type", "auth"}, {"token", token()}, {"last_id", last_id}}.dump());
    EXPECT_TRUE(client->receive_type("auth_ok", 3s)) << "not authenticated";
    return client;
  }

  // The message of the `type` error the client gets (then a close frame with `close_code`).
  std::string error_of(WsClient& client, const std::string& type, int close_code) {
    auto error = client.receive_type(type, 3s);
    if (!error) return "(none)";
    WsFrame close = client.receive(2s);
    EXPECT_EQ(close.kind, WsFrame::Kind::kClose) << "not closed after " << *error;
    EXPECT_EQ(close.close_code, close_code) << "after " << *error;
    return Json::parse(*error)["message"];
  }
  std::string auth_error(const Gateway& gateway, const std::string& first_message,
                         int close_code = 1008) {
    WsClient client(gateway.port());
    if (!first_message.empty()) client.send_text(first_message);
    return error_of(client, "auth_error", close_code);
  }

  notify::Notification queue(const std::string& title) {
    store::StateStore store(config_.paths.state_db);
    notify::NewNotification notification;
    notification.user_id = ana_.id;
    notification.title = title;
    notification.message = "m";
    notification.source = "test";
    return notify::Outbox(store.database()).enqueue(notification);
  }
  // The desktop delivery's status once it is `expected`, or after 3 s: the gateway records a
  // delivery just after sending it.
  std::string desktop_status(int64_t id, const std::string& expected) {
    std::string status = "none";
    for (int i = 0; i < 150 && status != expected; ++i) {
      if (i > 0) std::this_thread::sleep_for(20ms);
      store::StateStore store(config_.paths.state_db);
      auto found = notify::Outbox(store.database()).find(id);
      for (const auto& delivery : found->deliveries)
        if (delivery.channel == "desktop") status = delivery.status;
    }
    return status;
  }

  testing::TempDir dir_;
  config::InstanceConfig config_;
  identity::User ana_;
  std::string family_;
};

TEST_F(WsGatewayTest, AuthenticationIsRequiredAndChecked) {
  GatewayOptions options;
  options.auth_timeout = 1s;
  auto gateway = start(options);
  EXPECT_EQ(auth_error(*gateway, ""), "Auth timeout");
  EXPECT_EQ(auth_error(*gateway, R"({"type":"hello"})"), "Expected auth message with token");
  EXPECT_EQ(auth_error(*gateway, Json{{"type", "auth"}, {"token", "abc.def.ghi"}}.dump()),
            "Invalid token");
  EXPECT_EQ(auth_error(*gateway, Json{{"type", "auth"}, {"token", token("someone-else")}}.dump()),
            "Invalid token");
  {
    store::StateStore store(config_.paths.state_db);
    identity::UserStore(store.database()).set_disabled("ana@example.com", true);
  }
  EXPECT_EQ(auth_error(*gateway, Json{{"type", "auth"}, {"token", token()}}.dump()),
            "Invalid token");
}

TEST_F(WsGatewayTest, ConnectionsPerUserAreCapped) {
  GatewayOptions options;
  options.max_connections_per_user = 2;
  auto gateway = start(options);
  auto first = signed_in(*gateway);
  auto second = signed_in(*gateway);
  EXPECT_EQ(auth_error(*gateway, Json{{"type", "auth"}, {"token", token()}}.dump()),
            "Too many connections");
  second.reset();
  std::this_thread::sleep_for(200ms);
  auto third = signed_in(*gateway);  // a slot is free again
}

TEST_F(WsGatewayTest, TheOriginIsComparedWithoutRegardToCaseAsThePortalDoes) {
  auto gateway = start();
  EXPECT_EQ(WsClient(gateway->port(), "https://Data.Example.COM").status(), 101);
  EXPECT_EQ(WsClient(gateway->port(), "null").status(), 403);
}

TEST_F(WsGatewayTest, BrowsersFromOtherOriginsAreRefused) {
  auto gateway = start();
  EXPECT_EQ(WsClient(gateway->port(), "https://evil.example").status(), 403);
  EXPECT_EQ(WsClient(gateway->port(), "https://data.example.com").status(), 101);
  EXPECT_EQ(WsClient(gateway->port()).status(), 101) << "the desktop app sends no Origin";
  net::HttpRequest health;
  health.url = "http://127.0.0.1:" + std::to_string(gateway->port()) + "/health";
  auto answer = net::HttpClient().send(health);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(Json::parse(answer.body)["status"], "ok");
}

TEST_F(WsGatewayTest, MalformedMessagesGetAnErrorNamingTheFieldAndACloseFrame) {
  auto gateway = start();
  // Before authentication (auth_error, as the client waits for auth_ok or auth_error).
  EXPECT_EQ(auth_error(*gateway, "not json", 1007), "the message is not valid JSON");
  EXPECT_EQ(auth_error(*gateway, "[1,2]", 1007), "the message must be a JSON object, not an array");
  EXPECT_EQ(auth_error(*gateway, R"({"type":1})", 1007),
            "field 'type' must be a string, not a number");
  EXPECT_EQ(auth_error(*gateway, R"({"type":"auth","token":5})", 1007),
            "field 'token' must be a string, not a number");
  EXPECT_EQ(auth_error(*gateway, R"({"type":"auth"})", 1007),
            "field 'token' is required (a string)");
  EXPECT_EQ(auth_error(*gateway,
                       Json{{"type", "auth"}, {"token", token()}, {"last_id", "x"}}.dump(), 1007),
            "field 'last_id' must be an integer, not a string");
  EXPECT_EQ(auth_error(*gateway, Json{{"type", "auth"}, {"token", token()}, {"last_id", -1}}.dump(),
                       1007),
            "field 'last_id' must be 0 or more");
  // After it (error).
  for (const char* message :
       {R"({"type":"ack","id":"x"})", R"({"type":1})", R"(["ack"])", R"(nonsense)"}) {
    auto client = signed_in(*gateway);
    client->send_text(message);
    std::string error = error_of(*client, "error", 1007);
    EXPECT_NE(error, "(none)") << message;
  }
  auto client = signed_in(*gateway);
  client->send_text(R"({"type":"ack","id":"x"})");
  EXPECT_EQ(error_of(*client, "error", 1007), "field 'id' must be an integer, not a string");
  auto big = signed_in(*gateway);
  big->send_text(std::string(70 * 1024, 'x'));
  EXPECT_EQ(big->receive(3s).close_code, 1009) << "over 64 KiB";
}

TEST_F(WsGatewayTest, AnyFrameFromTheClientKeepsItConnected) {
  GatewayOptions options;
  options.ping_interval = 1s;
  options.missed_pongs = 2;
  auto gateway = start(options);
  auto silent = signed_in(*gateway);
  silent->answer_pings(false);
  // Answers the WebSocket pings (as every client library does by itself), nothing else.
  auto standard = signed_in(*gateway);
  // The original's desktop app: answers the text pings only.
  auto legacy = signed_in(*gateway);
  legacy->answer_pings(false);
  auto started = std::chrono::steady_clock::now();
  bool silent_closed = false;
  int silent_close_code = 0;
  while (std::chrono::steady_clock::now() - started < 6s) {
    if (legacy->receive_type("ping", 50ms)) legacy->send_text(R"({"type":"pong"})");
    standard->receive(50ms);
    if (!silent_closed) {
      WsFrame frame = silent->receive(50ms);
      silent_closed = frame.kind == WsFrame::Kind::kClose;
      silent_close_code = frame.close_code;
    }
  }
  EXPECT_TRUE(silent_closed);
  EXPECT_EQ(silent_close_code, 1001);
  EXPECT_EQ(gateway->hub().health().users["ana_example_com"], 2)
      << "the ones answering either ping stay";
}

TEST_F(WsGatewayTest, NotificationsArriveAndUnacknowledgedOnesAreReplayed) {
  auto gateway = start();
  auto client = signed_in(*gateway);
  auto first = queue("first");
  // Telegram is not linked: the desktop app gets it all the same.
  ASSERT_EQ(first.deliveries.size(), 1u);
  EXPECT_EQ(first.deliveries[0].channel, "desktop");
  auto frame = client->receive_type("notification", 3s);
  ASSERT_TRUE(frame);
  Json notification = Json::parse(*frame);
  EXPECT_EQ(notification["id"], first.id);
  EXPECT_EQ(notification["title"], "first");
  EXPECT_EQ(desktop_status(first.id, "sent"), "sent");
  client->send_text(Json{{"type", "ack"}, {"id", first.id}}.dump());
  auto second = queue("second");
  ASSERT_TRUE(client->receive_type("notification", 3s));
  EXPECT_EQ(desktop_status(first.id, "acknowledged"), "acknowledged");
  client.reset();  // gone before acknowledging the second

  auto third = queue("while away");
  auto back = signed_in(*gateway);
  std::vector<int64_t> replayed;
  while (auto again = back->receive_type("notification", 1s))
    replayed.push_back(Json::parse(*again)["id"]);
  EXPECT_EQ(replayed, (std::vector<int64_t>{second.id, third.id}));
  // A client that says what it already has gets only what came after.
  auto up_to_date = signed_in(*gateway, third.id);
  EXPECT_FALSE(up_to_date->receive_type("notification", 500ms));
}

TEST_F(WsGatewayTest, ALastIdBeyondEveryNotificationIsAnsweredWithAnErrorAndAFullReplay) {
  auto gateway = start();
  auto waiting = queue("waiting");
  // A last_id kept from another server: no notification ever had it.
  auto client = signed_in(*gateway, waiting.id + 1000);
  auto error = client->receive_type("error", 2s);
  ASSERT_TRUE(error) << "no error for the impossible last_id";
  std::string message = Json::parse(*error)["message"];
  EXPECT_NE(message.find("field 'last_id': " + std::to_string(waiting.id + 1000) +
                         " is higher than any notification (the newest is " +
                         std::to_string(waiting.id) + ")"),
            std::string::npos)
      << message;
  auto frame = client->receive_type("notification", 2s);
  ASSERT_TRUE(frame) << "nothing replayed after the error";
  EXPECT_EQ(Json::parse(*frame)["id"], waiting.id);
  EXPECT_EQ(client->receive(300ms).kind, WsFrame::Kind::kTimeout) << "the socket stays open";
}

TEST_F(WsGatewayTest, ConnectionsPerAddressAreCappedExceptForTrustedProxies) {
  WsServerOptions server;
  server.max_connections_per_address = 2;
  server.trusted_proxies = {"127.0.0.3"};
  auto gateway = start({}, server);
  auto first = std::make_unique<WsClient>(gateway->port(), "", "/", "127.0.0.1");
  WsClient second(gateway->port(), "", "/", "127.0.0.1");
  EXPECT_EQ(first->status(), 101);
  EXPECT_EQ(second.status(), 101);
  EXPECT_EQ(WsClient(gateway->port(), "", "/", "127.0.0.1").status(), 0) << "the third is closed";
  EXPECT_EQ(WsClient(gateway->port(), "", "/", "127.0.0.2").status(), 101)
      << "another address is served";
  std::vector<std::unique_ptr<WsClient>> proxied;
  for (int i = 0; i < 4; ++i) {
    proxied.push_back(std::make_unique<WsClient>(gateway->port(), "", "/", "127.0.0.3"));
    EXPECT_EQ(proxied.back()->status(), 101) << "a trusted proxy carries many clients";
  }
  first.reset();
  bool served_again = false;
  for (int i = 0; i < 50 && !served_again; ++i) {
    std::this_thread::sleep_for(20ms);
    served_again = WsClient(gateway->port(), "", "/", "127.0.0.1").status() == 101;
  }
  EXPECT_TRUE(served_again) << "a closed connection gives its place back";
}

TEST_F(WsGatewayTest, LiveSocketsOfADisabledUserAreClosed) {
  GatewayOptions options;
  options.revalidate_interval = 1s;
  auto gateway = start(options);
  auto client = signed_in(*gateway);
  {
    store::StateStore store(config_.paths.state_db);
    identity::UserStore(store.database()).set_disabled("ana@example.com", true);
  }
  auto ended = client->receive_type("auth_error", 5s);
  ASSERT_TRUE(ended);
  EXPECT_EQ(Json::parse(*ended)["message"], "Session ended");
  EXPECT_EQ(client->receive(3s).kind, WsFrame::Kind::kClose);
}

TEST_F(WsGatewayTest, AClientThatStopsReadingIsCutOff) {
  auto gateway = start();
  auto client = signed_in(*gateway);
  // 1,500 notifications of 8 KB: more than the socket buffers hold and more than the
  // gateway queues for one socket, while the client reads nothing.
  {
    store::StateStore store(config_.paths.state_db);
    notify::Outbox outbox(store.database());
    notify::NewNotification big;
    big.user_id = ana_.id;
    big.title = "big";
    big.message = std::string(8192, 'x');
    big.source = "test";
    for (int i = 0; i < 1500; ++i) outbox.enqueue(big);
  }
  std::this_thread::sleep_for(2s);
  // Draining what was sent before the cut: the connection then ends instead of going on.
  int frames = 0;
  WsFrame frame;
  do {
    frame = client->receive(5s);
    frames += frame.kind == WsFrame::Kind::kText;
  } while (frame.kind == WsFrame::Kind::kText);
  EXPECT_EQ(frame.kind, WsFrame::Kind::kClose) << "still connected after " << frames << " frames";
  EXPECT_LT(frames, 1500);
}

TEST_F(WsGatewayTest, NothingQueuedWhileTheGatewayIsDownIsLost) {
  auto gateway = start();
  auto client = signed_in(*gateway);
  gateway->stop();
  gateway.reset();
  client.reset();
  auto queued = queue("while the gateway was down");
  auto restarted = start();
  auto back = signed_in(*restarted);
  auto frame = back->receive_type("notification", 2s);
  ASSERT_TRUE(frame);
  EXPECT_EQ(Json::parse(*frame)["id"], queued.id);
}

TEST_F(WsGatewayTest, TwoGatewaysShareTheOutboxWithoutLosingOrDuplicating) {
  auto one = start();
  auto two = start();
  auto on_one = signed_in(*one);
  auto on_two = signed_in(*two);
  std::vector<int64_t> queued;
  for (int i = 0; i < 20; ++i) queued.push_back(queue("n" + std::to_string(i)).id);
  for (auto* client : {on_one.get(), on_two.get()}) {
    std::vector<int64_t> received;
    while (auto frame = client->receive_type("notification", 1s))
      received.push_back(Json::parse(*frame)["id"]);
    EXPECT_EQ(received, queued);
  }
}

}  // namespace
}  // namespace da::services::ws_gateway
