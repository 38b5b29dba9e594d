// The real `da serve` under pressure: out of file descriptors it pauses accepting and keeps
// serving instead of spinning and flooding its log; and no secret of a URL reaches its log.
#include <regex>
#include <thread>

#include "support/background_process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "da/net/http_client.hpp"

namespace da {
namespace {

using namespace std::chrono_literals;

class PortalProcessTest : public ::testing::Test {
 protected:
  // Starts `da serve` on a free port with `server_extra` inside server: {...}.
  void start(const std::string& server_extra, std::optional<int> max_open_files = {}) {
    temp_.write("docs/data_description.md", "# Tables\n```yaml\ntables: []\n```\n");
    temp_.write(
        "config/instance.yaml",
        "instance: {name: Test}\n"
        "server: {hostname: 127.0.0.1, base_url: 'http://127.0.0.1', listen: '127.0.0.1:0'" +
            server_extra +
            "}\n"
            "auth:\n  allowed_domain: example.com\n"
            "  webapp_secret_key: 0123456789abcdef0123456789abcdef01\n"
            "  email: {dev_mode: true}\n  password: {enabled: true}\n"
            "paths: {data_dir: ./data, docs_dir: ./docs}\n");
    testing::BackgroundOptions options;
    options.max_open_files = max_open_files;
    portal_.emplace(testing::da_command({"--config", (temp_ / "config").string(), "serve"}),
                    temp_ / "portal.log", options);
    std::smatch match;
    for (int i = 0; i < 200; ++i) {
      std::string log = portal_->output();
      if (std::regex_search(log, match, std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"))) {
        port_ = static_cast<uint16_t>(std::stoi(match[1].str()));
        return;
      }
      ASSERT_TRUE(portal_->running()) << log;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "the portal did not start: " << portal_->output();
  }

  net::HttpResponse get(const std::string& path) {
    net::HttpRequest request;
    request.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    request.total_timeout = 5s;
    return net::HttpClient().send(request);
  }

  int connect_silently() const {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    return fd;
  }

  static int count(const std::string& text, const std::string& what) {
    int found = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
      ++found;
    return found;
  }

  testing::TempDir temp_;
  std::optional<testing::BackgroundProcess> portal_;
  uint16_t port_ = 0;
};

TEST_F(PortalProcessTest, OutOfDescriptorsItPausesLogsOnceAndRecovers) {
  start(", max_connections_per_address: 0, access_log: false", 64);
  ASSERT_EQ(get("/health").status, 200);
  std::vector<int> held;
  for (int i = 0; i < 120; ++i)
    held.push_back(connect_silently());
  std::this_thread::sleep_for(500ms);
  auto cpu_before = portal_->cpu_time();
  std::this_thread::sleep_for(3s);
  auto cpu_spent = portal_->cpu_time() - cpu_before;
  std::string log = portal_->output();
  EXPECT_GE(count(log, "cannot accept connections"), 1) << log;
  EXPECT_LE(count(log, "cannot accept connections"), 2) << log.substr(0, 2000);
  EXPECT_LT(log.size(), 20'000u);
  EXPECT_LT(cpu_spent, 500ms);  // paused, not spinning
  for (int fd : held)
    ::close(fd);
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    try {
      served = get("/health").status == 200;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(100ms);
    }
  }
  EXPECT_TRUE(served) << portal_->output().substr(0, 2000);
  EXPECT_TRUE(portal_->running());
}

TEST_F(PortalProcessTest, TokensInPathsAndQueriesNeverReachTheLog) {
  start(", access_log: true");
  const std::string token = "Zm9yZ2VkLXRva2VuLXRoYXQtbXVzdC1ub3QtbGVhaw";
  get("/login/password/set/" + token);
  get("/login/email/verify/" + token);
  get("/login?next=/x&token=" + token + "&code=" + token);
  get("/nowhere?access_token=" + token);
  portal_->stop();
  std::string log = portal_->output();
  EXPECT_NE(log.find("path=/login/password/set/***"), std::string::npos) << log;
  EXPECT_EQ(log.find(token), std::string::npos) << log;
}

}  // namespace
}  // namespace da
