// The WebSocket gateway over real sockets: authentication (timeout, bad token, wrong issuer,
// disabled account, connection cap), Origin, heartbeat, delivery from the outbox, ack and
// replay after a reconnect, and two gateway processes sharing one outbox.
#include "ws_gateway/gateway.hpp"

#include "support/temp_dir.hpp"
#include "support/ws_client.hpp"
#include <gtest/gtest.h>

#include <ctime>
#include <thread>

#include "da/identity/api_token_store.hpp"
#include "da/identity/jwt.hpp"
#include "da/identity/user_store.hpp"
#include "da/net/http_client.hpp"
#include "da/notify/outbox.hpp"
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
    config_.paths.data_dir = dir_ / "data";
    config_.paths.state_db = dir_ / "data" / "state.db";
    config_.desktop.jwt_secret = std::string(40, 's');
    config_.desktop.jwt_issuer = "data-analyst";
    std::filesystem::create_directories(config_.paths.data_dir);
    store::StateStore store(config_.paths.state_db);
    identity::UserStore users(store.database());
    ana_ = users.ensure("ana@example.com", {});
    family_ = identity::ApiTokenStore(store.database()).create_refresh(ana_.id, 24h).info.family;
  }

  std::unique_ptr<Gateway> start(GatewayOptions options = {}) {
    WsServerOptions server;
    server.listen = "127.0.0.1:0";
    server.allowed_origins = {"https://data.example.com"};
    auto gateway = std::make_unique<Gateway>(config_, options, server, 20ms);
    gateway->start();
    return gateway;
  }

  std::string token(const std::string& issuer = "data-analyst") {
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    return identity::jwt_sign_hs256({{"iss", issuer}, {"sub", ana_.username}, {"uid", ana_.id},
                                     {"fam", family_}, {"iat", now}, {"exp", now + 900}},
                                    config_.desktop.jwt_secret);
  }

  // A connected, authenticated client.
  std::unique_ptr<WsClient> signed_in(const Gateway& gateway, int64_t last_id = 0) {
    auto client = std::make_unique<WsClient>(gateway.port());
    EXPECT_TRUE(client->connected());
    client->send_text(Json{{"type", "auth"}, {"token", token()}, {"last_id", last_id}}.dump());
    EXPECT_TRUE(client->receive_type("auth_ok", 3s)) << "not authenticated";
    return client;
  }

  std::string auth_error(const Gateway& gateway, const std::string& first_message) {
    WsClient client(gateway.port());
    if (!first_message.empty()) client.send_text(first_message);
    auto error = client.receive_type("auth_error", 3s);
    if (!error) return "(none)";
    EXPECT_EQ(client.receive(2s).kind, WsFrame::Kind::kClose) << "not closed after auth_error";
    return Json::parse(*error)["message"];
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
  std::string desktop_status(int64_t id) {
    store::StateStore store(config_.paths.state_db);
    auto found = notify::Outbox(store.database()).find(id);
    for (const auto& delivery : found->deliveries)
      if (delivery.channel == notify::Channel::kDesktop) return delivery.status;
    return "none";
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
  EXPECT_EQ(auth_error(*gateway, "not json"), "Invalid JSON");
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

TEST_F(WsGatewayTest, SilentClientsAreClosedAfterMissedPings) {
  GatewayOptions options;
  options.ping_interval = 1s;
  options.missed_pongs = 2;
  auto gateway = start(options);
  auto silent = signed_in(*gateway);
  auto polite = signed_in(*gateway);
  auto started = std::chrono::steady_clock::now();
  bool silent_closed = false;
  while (std::chrono::steady_clock::now() - started < 6s && !silent_closed) {
    if (polite->receive_type("ping", 100ms)) polite->send_text(R"({"type":"pong"})");
    WsFrame frame = silent->receive(100ms);
    silent_closed = frame.kind == WsFrame::Kind::kClose;
  }
  EXPECT_TRUE(silent_closed);
  EXPECT_EQ(gateway->hub().health().users["ana_example_com"], 1) << "the polite one stays";
}

TEST_F(WsGatewayTest, NotificationsArriveAndUnacknowledgedOnesAreReplayed) {
  auto gateway = start();
  auto client = signed_in(*gateway);
  auto first = queue("first");
  // Telegram is not linked: the desktop app gets it all the same.
  ASSERT_EQ(first.deliveries.size(), 1u);
  EXPECT_EQ(first.deliveries[0].channel, notify::Channel::kDesktop);
  auto frame = client->receive_type("notification", 3s);
  ASSERT_TRUE(frame);
  Json notification = Json::parse(*frame);
  EXPECT_EQ(notification["id"], first.id);
  EXPECT_EQ(notification["title"], "first");
  EXPECT_EQ(desktop_status(first.id), "sent");
  client->send_text(Json{{"type", "ack"}, {"id", first.id}}.dump());
  auto second = queue("second");
  ASSERT_TRUE(client->receive_type("notification", 3s));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(desktop_status(first.id), "acknowledged");
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
