// `da ws-gateway` as a process: a client built from the docs with a real library
// (python3-websockets) stays connected on standard pongs alone, gets notifications, errors
// for an impossible last_id and a malformed message, and compression when configured; and a
// gateway out of file descriptors pauses instead of spinning, and serves again once some close.
#include <ctime>
#include <future>
#include <thread>

#include "support/background_process.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/ws_client.hpp"
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include "da/identity/api_token_store.hpp"
#include "da/identity/jwt.hpp"
#include "da/identity/user_store.hpp"
#include "da/net/http_client.hpp"
#include "da/notify/outbox.hpp"
#include "da/module/module_registry.hpp"
#include "da/store/state_store.hpp"

namespace da {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using namespace std::chrono_literals;
using testing::TempDir;
using testing::WsClient;

constexpr const char* kSecret = "0123456789abcdef0123456789abcdef0123456789";
constexpr const char* kPython = "/usr/bin/python3";  // the interpreter python3-websockets is for

// A `da ws-gateway` child process with its output in a file, stopped (SIGTERM) at the end.
class GatewayProcess {
 public:
  // `max_files`: the child's RLIMIT_NOFILE (soft and hard, so the gateway cannot raise it);
  // 0 leaves the limit alone.
  GatewayProcess(const fs::path& config_dir, const fs::path& log, int max_files = 0)
      : process_(testing::da_command({"--config", config_dir.string(), "ws-gateway", "--listen",
                                      "127.0.0.1:0"}),
                 log, options(max_files)) {
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::this_thread::sleep_for(25ms);
      std::string text = process_.output();
      auto at = text.find("(port ");
      if (at != std::string::npos) port_ = static_cast<uint16_t>(std::stoi(text.substr(at + 6)));
    }
  }

  uint16_t port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  std::string log() const { return process_.output(); }
  double cpu_seconds() const {
    return std::chrono::duration<double>(process_.cpu_time()).count();
  }

 private:
  static testing::BackgroundOptions options(int max_files) {
    testing::BackgroundOptions options;
    if (max_files > 0) options.max_open_files = max_files;
    return options;
  }

  testing::BackgroundProcess process_;
  uint16_t port_ = 0;
};

class WsGatewayCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ModuleRegistry modules;  // the desktop channel module
    register_all_modules(modules);
    store::StateStore store(dir_ / "data" / "state.db");
    ana_ = identity::UserStore(store.database()).ensure("ana@example.com", {});
    family_ = identity::ApiTokenStore(store.database()).create_refresh(ana_.id, 24h).info.family;
  }

  // The instance: `extra` is YAML added to the notifications section.
  fs::path config(const std::string& server, const std::string& notifications) {
    dir_.write("config/instance.yaml",
               "paths:\n  data_dir: " + (dir_ / "data").string() +
                   "\n  docs_dir: " + (dir_ / "docs").string() +
                   "\ndesktop:\n  jwt_secret: ${DESKTOP_JWT_SECRET}\nserver:\n" + server +
                   "notifications:\n" + notifications);
    dir_.write("config/.env", std::string("DESKTOP_JWT_SECRET=") + kSecret + "\n");
    return dir_ / "config";
  }

  std::string token() {
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    return identity::jwt_sign_hs256({{"iss", "data-analyst"},
                                     {"sub", ana_.username},
                                     {"uid", ana_.id},
                                     {"fam", family_},
                                     {"iat", now},
                                     {"exp", now + 900}},
                                    kSecret);
  }

  notify::Notification queue(const std::string& title) {
    store::StateStore store(dir_ / "data" / "state.db");
    notify::NewNotification notification;
    notification.user_id = ana_.id;
    notification.title = title;
    notification.message = std::string(300, 'm');  // long enough to be worth compressing
    notification.source = "test";
    return notify::Outbox(store.database()).enqueue(notification);
  }
  std::string desktop_status(int64_t id) {
    store::StateStore store(dir_ / "data" / "state.db");
    auto found = notify::Outbox(store.database()).find(id);
    for (const auto& delivery : found->deliveries)
      if (delivery.channel == "desktop") return delivery.status;
    return "none";
  }

  // Runs the Python client's `scenario`; its findings as JSON (with "exit" added).
  Json client(const GatewayProcess& gateway, const std::string& scenario) {
    std::string url = "ws://127.0.0.1:" + std::to_string(gateway.port()) + "/";
    auto result = testing::run_process(
        {kPython, std::string(DA_SOURCE_DIR) + "/tests/integration/ws_gateway_client.py", url,
         token(), scenario});
    Json findings = Json::parse(result.out, nullptr, false);
    if (findings.is_discarded()) findings = {{"output", result.out + result.err}};
    findings["exit"] = result.exit_code;
    return findings;
  }

  TempDir dir_;
  identity::User ana_;
  std::string family_;
};

TEST_F(WsGatewayCliTest, AClientLibraryFollowingTheDocsStaysConnectedAndGetsErrors) {
  // Pings every second: a client answering none would be closed within 4 s.
  GatewayProcess gateway(config("", "  ws_ping_seconds: 1\n"), dir_ / "gateway.log");
  ASSERT_NE(gateway.port(), 0) << gateway.log();
  int64_t queued_id = 0;
  auto later = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(6s);
    queued_id = queue("after a while").id;
  });
  Json stayed = client(gateway, "stay");
  later.wait();
  EXPECT_EQ(stayed["exit"], 0) << stayed.dump();
  EXPECT_EQ(stayed.value("notification", int64_t{0}), queued_id) << stayed.dump();
  EXPECT_GE(stayed.value("waited", 0.0), 5.0) << "connected past the liveness interval";
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(desktop_status(queued_id), "acknowledged");

  Json beyond = client(gateway, "last_id");
  EXPECT_EQ(beyond["exit"], 0) << beyond.dump();
  EXPECT_NE(beyond.value("error", "")
                .find("field 'last_id': 1000000000000 is higher than any "
                      "notification"),
            std::string::npos)
      << beyond.dump();

  Json malformed = client(gateway, "malformed");
  EXPECT_EQ(malformed["exit"], 0) << malformed.dump();
  EXPECT_EQ(malformed.value("error", ""), "field 'id' must be an integer, not a string");
  EXPECT_EQ(malformed["close_code"], 1007) << malformed.dump();
}

TEST_F(WsGatewayCliTest, CompressionIsNegotiatedWhenConfigured) {
  GatewayProcess gateway(config("", "  ws_permessage_deflate: true\n"), dir_ / "gateway.log");
  ASSERT_NE(gateway.port(), 0) << gateway.log();
  auto waiting = queue("compressed");
  Json findings = client(gateway, "deflate");
  EXPECT_EQ(findings["exit"], 0) << findings.dump();
  EXPECT_EQ(findings.value("notification", int64_t{0}), waiting.id);
  EXPECT_EQ(findings["extensions"], Json::array({"permessage-deflate"})) << findings.dump();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(desktop_status(waiting.id), "acknowledged") << "a compressed ack is read";
}

// A TCP connection to 127.0.0.1:`port` that sends nothing.
int idle_connection(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST_F(WsGatewayCliTest, RunningOutOfDescriptorsPausesAcceptingAndServingResumes) {
  GatewayProcess gateway(config("  max_connections_per_address: 0\n", ""), dir_ / "gateway.log",
                         64);
  ASSERT_NE(gateway.port(), 0) << gateway.log();
  // More connections than the gateway has descriptors: the rest wait in the listen queue,
  // where accept() fails on them again and again.
  std::vector<int> connections;
  for (int i = 0; i < 100; ++i) {
    int fd = idle_connection(gateway.port());
    ASSERT_GE(fd, 0);
    connections.push_back(fd);
  }
  std::this_thread::sleep_for(500ms);
  double cpu_before = gateway.cpu_seconds();
  std::this_thread::sleep_for(3s);
  double cpu = gateway.cpu_seconds() - cpu_before;
  EXPECT_LT(cpu, 0.5) << "the accept loop spins";
  std::string log = gateway.log();
  auto lines = std::count(log.begin(), log.end(), '\n');
  EXPECT_NE(log.find("cannot accept connections"), std::string::npos) << log.substr(0, 2000);
  EXPECT_LE(lines, 5) << log.substr(0, 2000);

  for (std::size_t i = 20; i < connections.size(); ++i)
    ::close(connections[i]);
  connections.resize(20);
  net::HttpRequest health;
  health.url = "http://127.0.0.1:" + std::to_string(gateway.port()) + "/health";
  health.total_timeout = 5s;
  auto answer = net::HttpClient().send(health);
  EXPECT_EQ(answer.status, 200) << gateway.log().substr(0, 2000);
  WsClient client(gateway.port());
  ASSERT_TRUE(client.connected());
  client.send_text(Json{{"type", "auth"}, {"token", token()}}.dump());
  EXPECT_TRUE(client.receive_type("auth_ok", 5s)) << gateway.log().substr(0, 2000);
  for (int fd : connections)
    ::close(fd);
}

}  // namespace
}  // namespace da
