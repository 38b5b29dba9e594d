// The local services' socket server: clients are served side by side, a client that stalls
// delays no one and is cut off at its deadline, clients over the limits are refused at once.
#include "da/net/unix_socket_server.hpp"

#include <cstring>
#include <thread>

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace da::net {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Answers "echo <line>" to one line; "slow" takes 2 s before answering.
void echo(UnixConnection& client) {
  std::string text;
  if (!client.read_until(text, "\n", 1024)) return;
  std::string line = text.substr(0, text.find('\n'));
  if (line == "slow") std::this_thread::sleep_for(std::chrono::seconds(2));
  client.write_all("echo " + line + "\n");
}

class UnixSocketServerTest : public ::testing::Test {
 protected:
  void start(UnixServerLimits limits) {
    listener_ =
        std::make_unique<UnixSocketListener>(dir_ / "test.sock", 0600, static_cast<gid_t>(-1));
    server_ = std::jthread([this, limits] {
      serve_unix_socket(
          *listener_, limits, echo, [](UnixConnection& client) { client.write_all("busy\n"); },
          stop_);
    });
  }
  void TearDown() override {
    stop_ = true;
    if (server_.joinable()) server_.join();
  }

  int connect_client() {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, (dir_ / "test.sock").c_str(), sizeof address.sun_path - 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    clients_.push_back(fd);
    return fd;
  }
  // What the server sent until it closed, or "<open>" if it still had not after `wait`.
  static std::string answer(int fd, milliseconds wait = milliseconds(3000)) {
    std::string text;
    auto deadline = Clock::now() + wait;
    while (true) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      pollfd poll_fd{fd, POLLIN, 0};
      if (::poll(&poll_fd, 1, static_cast<int>(std::max<int64_t>(0, left.count()))) <= 0)
        return text + "<open>";
      char buffer[256];
      ssize_t got = ::read(fd, buffer, sizeof buffer);
      if (got <= 0) return text;
      text.append(buffer, static_cast<std::size_t>(got));
    }
  }
  static void send_text(int fd, const std::string& text) {
    ASSERT_EQ(::send(fd, text.data(), text.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(text.size()));
  }

  ~UnixSocketServerTest() override {
    for (int fd : clients_)
      ::close(fd);
  }

  testing::TempDir dir_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<UnixSocketListener> listener_;
  std::jthread server_;
  std::vector<int> clients_;
};

TEST_F(UnixSocketServerTest, AStalledClientDoesNotDelayAnother) {
  UnixServerLimits limits;
  limits.deadline = milliseconds(1000);
  start(limits);
  int silent = connect_client();
  int half = connect_client();
  send_text(half, "hal");
  std::this_thread::sleep_for(milliseconds(50));  // both are being served by now

  auto started = Clock::now();
  int prompt = connect_client();
  send_text(prompt, "hello\n");
  EXPECT_EQ(answer(prompt), "echo hello\n");
  auto took = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  std::printf("answered next to two stalled clients in %.1f ms\n", took);
  EXPECT_LT(took, 200);
  EXPECT_EQ(answer(silent, milliseconds(0)), "<open>");
  EXPECT_EQ(answer(half, milliseconds(0)), "<open>");
}

TEST_F(UnixSocketServerTest, AClientIsCutOffAtItsDeadlineWhateverItIsDoing) {
  UnixServerLimits limits;
  limits.deadline = milliseconds(300);
  start(limits);
  auto started = Clock::now();
  int half = connect_client();
  send_text(half, "hal");
  int slow = connect_client();
  send_text(slow, "slow\n");  // the work takes 2 s: the client is not kept waiting for it
  EXPECT_EQ(answer(half), "");
  EXPECT_EQ(answer(slow), "");
  auto took = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  EXPECT_GE(took, 290);
  EXPECT_LT(took, 1000);
}

TEST_F(UnixSocketServerTest, ClientsOverTheLimitsAreRefusedAtOnce) {
  UnixServerLimits limits;
  limits.workers = 2;
  limits.deadline = milliseconds(500);
  start(limits);
  connect_client();
  connect_client();
  std::this_thread::sleep_for(milliseconds(50));
  int third = connect_client();
  EXPECT_EQ(answer(third, milliseconds(500)), "busy\n");
}

TEST_F(UnixSocketServerTest, OneCallerCannotTakeEverySlot) {
  UnixServerLimits limits;
  limits.per_caller = 1;
  limits.deadline = milliseconds(500);
  start(limits);
  connect_client();
  std::this_thread::sleep_for(milliseconds(50));
  int second = connect_client();
  EXPECT_EQ(answer(second, milliseconds(500)), "busy\n");
}

TEST_F(UnixSocketServerTest, StoppingFinishesTheClientsInProgress) {
  start(UnixServerLimits{});
  int slow = connect_client();
  send_text(slow, "slow\n");
  std::this_thread::sleep_for(milliseconds(100));
  stop_ = true;
  server_.join();
  EXPECT_EQ(answer(slow, milliseconds(0)), "echo slow\n");
}

}  // namespace
}  // namespace da::net
