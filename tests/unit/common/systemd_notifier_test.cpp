#include "da/common/systemd_notifier.hpp"

#include <atomic>
#include <cstdlib>
#include <thread>

#include "support/notify_socket.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

namespace da {
namespace {

using namespace std::chrono_literals;

// systemd played by the test: NOTIFY_SOCKET names a socket it reads.
class SystemdNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("NOTIFY_SOCKET", socket_.path().c_str(), 1);
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
  }
  void TearDown() override {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
  }

  testing::TempDir dir_;
  testing::NotifySocket socket_{dir_ / "notify.sock"};
};

// A loop that runs every task at once.
void run_now(std::function<void()> task) {
  task();
}

TEST_F(SystemdNotifierTest, ReadyAndStatusSendOneLineStatuses) {
  SystemdNotifier notifier;
  EXPECT_TRUE(notifier.active());
  notifier.ready("serving on\nhttp://127.0.0.1:8080");
  EXPECT_EQ(socket_.receive(1s), "READY=1\nSTATUS=serving on http://127.0.0.1:8080");
  notifier.status("busy");
  EXPECT_EQ(socket_.receive(1s), "STATUS=busy");
}

TEST_F(SystemdNotifierTest, WatchdogPingsEveryHalfTimeoutThroughTheLoopItWatches) {
  ::setenv("WATCHDOG_USEC", "200000", 1);
  SystemdNotifier notifier;
  EXPECT_EQ(notifier.watchdog_interval(), 100ms);
  notifier.start_watchdog(run_now);
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(socket_.receive(1s), "WATCHDOG=1");
  EXPECT_GE(std::chrono::steady_clock::now() - started, 290ms);
}

TEST_F(SystemdNotifierTest, ALoopThatRunsNoTasksSendsNoPings) {
  ::setenv("WATCHDOG_USEC", "100000", 1);
  std::atomic<int> offered{0};
  SystemdNotifier notifier;
  notifier.start_watchdog([&offered](std::function<void()>) { ++offered; });
  EXPECT_EQ(socket_.receive(400ms), std::nullopt);
  EXPECT_GE(offered.load(), 3);
}

TEST_F(SystemdNotifierTest, StoppingEndsThePingsAndSaysStopping) {
  ::setenv("WATCHDOG_USEC", "100000", 1);
  SystemdNotifier notifier;
  notifier.start_watchdog(run_now);
  EXPECT_EQ(socket_.receive(1s), "WATCHDOG=1");
  notifier.stopping("stopping (SIGTERM)");
  std::optional<std::string> message;
  while ((message = socket_.receive(200ms)) && *message == "WATCHDOG=1") {
  }
  EXPECT_EQ(message, "STOPPING=1\nSTATUS=stopping (SIGTERM)");
  EXPECT_EQ(socket_.receive(300ms), std::nullopt);
}

TEST_F(SystemdNotifierTest, AWatchdogMeantForAnotherProcessIsIgnored) {
  ::setenv("WATCHDOG_USEC", "100000", 1);
  ::setenv("WATCHDOG_PID", "1", 1);
  SystemdNotifier notifier;
  EXPECT_EQ(notifier.watchdog_interval(), 0us);
  notifier.start_watchdog(run_now);
  EXPECT_EQ(socket_.receive(300ms), std::nullopt);
}

TEST_F(SystemdNotifierTest, WithoutNotifySocketNothingIsSent) {
  ::unsetenv("NOTIFY_SOCKET");
  ::setenv("WATCHDOG_USEC", "100000", 1);
  std::atomic<int> offered{0};
  SystemdNotifier notifier;
  EXPECT_FALSE(notifier.active());
  EXPECT_EQ(notifier.watchdog_interval(), 0us);
  notifier.start_watchdog([&offered](std::function<void()>) { ++offered; });
  notifier.ready("serving");
  notifier.stopping("stopping");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(offered.load(), 0);
  EXPECT_EQ(socket_.receive(100ms), std::nullopt);
}

}  // namespace
}  // namespace da
