// `da serve` and `da ws-gateway` under a systemd unit of Type=notify, with systemd played by the
// test: a datagram socket it owns is NOTIFY_SOCKET, and WATCHDOG_USEC asks for watchdog pings.
// READY=1 comes once the port answers, WATCHDOG=1 at half the watchdog timeout while the
// process runs, STOPPING=1 on SIGTERM.
#include <csignal>
#include <regex>

#include "support/background_process.hpp"
#include "support/notify_socket.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/net/http_client.hpp"

namespace da {
namespace {

using namespace std::chrono_literals;
using testing::has_line;

// The watchdog timeout the tests give: pings are due every 150 ms.
constexpr auto kWatchdog = 300ms;

class SystemdNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("docs/data_description.md", "# Tables\n```yaml\ntables: []\n```\n");
    dir_.write(
        "config/instance.yaml",
        "instance: {name: Test}\n"
        "server: {hostname: 127.0.0.1, base_url: 'http://127.0.0.1', listen: '127.0.0.1:0'}\n"
        "auth:\n  allowed_domain: example.com\n"
        "  webapp_secret_key: 0123456789abcdef0123456789abcdef01\n"
        "  password: {enabled: true}\n"
        "desktop: {jwt_secret: 0123456789abcdef0123456789abcdef0123456789}\n"
        "paths: {data_dir: ./data, docs_dir: ./docs}\n");
  }

  // Starts `da <args>` as systemd would start it in a Type=notify unit with WatchdogSec=.
  void start(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"--config", (dir_ / "config").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    testing::BackgroundOptions options;
    options.working_dir = dir_.path();
    options.env = {{"NOTIFY_SOCKET", notify_.path().string()},
                   {"WATCHDOG_USEC", std::to_string(std::chrono::microseconds(kWatchdog).count())}};
    process_.emplace(testing::da_command(argv), dir_ / "process.log", options);
  }

  // The port in the STATUS= line of `message` ("...127.0.0.1:PORT...").
  static uint16_t port_in(const std::string& message) {
    std::smatch match;
    if (!std::regex_search(message, match, std::regex("STATUS=[^\n]*127\\.0\\.0\\.1:(\\d+)")))
      return 0;
    return static_cast<uint16_t>(std::stoi(match[1].str()));
  }

  static int get_status(uint16_t port, const std::string& path) {
    net::HttpRequest request;
    request.url = "http://127.0.0.1:" + std::to_string(port) + path;
    request.total_timeout = 5s;
    return net::HttpClient().send(request).status;
  }

  // WATCHDOG=1 arrives again and again while the process runs, about every half timeout.
  void expect_watchdog_pings() {
    auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE(notify_.receive_line("WATCHDOG=1", kWatchdog * 4)) << process_->output();
    auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_GE(elapsed, kWatchdog * 2 - 50ms);  // five pings, at least four intervals apart
  }

  void expect_stopping_on_sigterm() {
    ASSERT_EQ(::kill(process_->pid(), SIGTERM), 0);
    auto stopping = notify_.receive_line("STOPPING=1", 10s);
    ASSERT_TRUE(stopping) << process_->output();
    EXPECT_EQ(process_->stop(10s), 0) << process_->output();
  }

  testing::TempDir dir_;
  testing::NotifySocket notify_{dir_ / "notify.sock"};
  std::optional<testing::BackgroundProcess> process_;
};

TEST_F(SystemdNotifyTest, ThePortalSaysReadyOnceItAnswersPingsTheWatchdogAndSaysStopping) {
  start({"serve"});
  auto ready = notify_.receive(20s);
  ASSERT_TRUE(ready) << process_->output();
  ASSERT_TRUE(has_line(*ready, "READY=1")) << *ready;
  uint16_t port = port_in(*ready);
  ASSERT_NE(port, 0) << *ready;
  EXPECT_EQ(get_status(port, "/health"), 200);
  expect_watchdog_pings();
  expect_stopping_on_sigterm();
}

TEST_F(SystemdNotifyTest,
       TheWebSocketGatewaySaysReadyOnceItAnswersPingsTheWatchdogAndSaysStopping) {
  start({"ws-gateway", "--listen", "127.0.0.1:0"});
  auto ready = notify_.receive(20s);
  ASSERT_TRUE(ready) << process_->output();
  ASSERT_TRUE(has_line(*ready, "READY=1")) << *ready;
  uint16_t port = port_in(*ready);
  ASSERT_NE(port, 0) << *ready;
  EXPECT_EQ(get_status(port, "/health"), 200);
  expect_watchdog_pings();
  expect_stopping_on_sigterm();
}

}  // namespace
}  // namespace da
