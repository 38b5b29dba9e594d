// `da serve` as systemd's Type=notify service: READY=1 once the socket answers, WATCHDOG=1
// while it runs (WatchdogSec=), STOPPING=1 on SIGTERM. A Unix datagram socket of the test
// stands in for systemd's $NOTIFY_SOCKET.
#include <csignal>
#include <regex>
#include <thread>

#include "support/background_process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace da {
namespace {

using namespace std::chrono_literals;

// The receiving end of sd_notify(3): one datagram per notification.
class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  }
  ~NotifySocket() { ::close(fd_); }

  // The next notification, or "" when none comes within `timeout`.
  std::string next(std::chrono::milliseconds timeout) {
    pollfd wait{fd_, POLLIN, 0};
    if (::poll(&wait, 1, static_cast<int>(timeout.count())) != 1) return "";
    char buffer[4096];
    ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
    return got > 0 ? std::string(buffer, static_cast<size_t>(got)) : "";
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

class ServeNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_.write("docs/data_description.md", "# Tables\n```yaml\ntables: []\n```\n");
    temp_.write("config/instance.yaml",
                "server: {hostname: 127.0.0.1, base_url: 'http://127.0.0.1', listen: 'unix:" +
                    (temp_ / "portal.sock").string() +
                    "'}\n"
                    "auth:\n  allowed_domain: example.com\n"
                    "  webapp_secret_key: 0123456789abcdef0123456789abcdef01\n"
                    "paths: {data_dir: ./data, docs_dir: ./docs}\n");
  }

  // Starts da serve with systemd's variables and `watchdog_usec` (none if empty).
  void start(const std::string& watchdog_usec) {
    testing::BackgroundOptions options;
    options.env = {{"NOTIFY_SOCKET", (temp_ / "notify.sock").string()},
                   {"DA_CONFIG_DIR", (temp_ / "config").string()}};
    if (!watchdog_usec.empty()) options.env["WATCHDOG_USEC"] = watchdog_usec;
    portal_.emplace(testing::da_command({"serve"}), temp_ / "portal.log", options);
  }

  bool socket_answers() const { return std::filesystem::is_socket(temp_ / "portal.sock"); }

  testing::TempDir temp_;
  NotifySocket notify_{temp_ / "notify.sock"};
  std::optional<testing::BackgroundProcess> portal_;
};

TEST_F(ServeNotifyTest, ReportsReadyOnceListeningAndStoppingOnSigterm) {
  start("");
  std::string ready = notify_.next(20s);
  ASSERT_EQ(ready.rfind("READY=1\nSTATUS=listening on unix:", 0), 0u) << ready << portal_->output();
  EXPECT_TRUE(socket_answers());
  EXPECT_EQ(notify_.next(1500ms), "") << "no watchdog was asked for";
  ::kill(portal_->pid(), SIGTERM);
  EXPECT_EQ(notify_.next(10s), "STOPPING=1");
  int status = portal_->stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << portal_->output();
}

TEST_F(ServeNotifyTest, FeedsTheWatchdogWhileItsWorkersTakeRequests) {
  start("1000000");  // WatchdogSec=1s
  std::string ready = notify_.next(20s);
  ASSERT_EQ(ready.rfind("READY=1", 0), 0u) << ready << portal_->output();
  auto started = std::chrono::steady_clock::now();
  int pings = 0;
  while (std::chrono::steady_clock::now() - started < 2s) {
    std::string message = notify_.next(1s);
    ASSERT_EQ(message, "WATCHDOG=1") << portal_->output();
    ++pings;
  }
  EXPECT_GE(pings, 4);  // every quarter second or so, never a second apart
}

}  // namespace
}  // namespace da
