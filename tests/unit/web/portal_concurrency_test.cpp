// A portal whose mail relay accepts connections and never answers (a tarpit) still answers
// everyone else at once: sign-in links are queued, not sent inside the request, and no
// request waits for another.
#include <atomic>
#include <future>
#include <thread>

#include "portal_fixture.hpp"
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "da/identity/session_store.hpp"
#include "da/identity/user_store.hpp"
#include "da/store/state_store.hpp"

namespace da::web {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The relay's timeout is 3 s (smtp_timeout_seconds below): anything that waited for the tarpit
// takes at least that long. The bounds sit well below it and well above what a busy 2-core
// machine adds to a request.
constexpr long kMaxLinkRequestMs = 2000;
constexpr long kMaxProbeMs = 1000;

// Accepts TCP connections on 127.0.0.1 and never says a word on them.
class Tarpit {
 public:
  Tarpit() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 128);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] {
      while (true) {
        int fd = ::accept(listener_, nullptr, nullptr);
        if (fd < 0) return;
        held_.push_back(fd);
        ++accepted_;
      }
    });
  }
  ~Tarpit() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    for (int fd : held_)
      ::close(fd);
  }
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  int listener_ = -1;
  uint16_t port_ = 0;
  std::thread acceptor_;
  std::vector<int> held_;
  std::atomic<int> accepted_{0};
};

class PortalConcurrencyTest : public PortalFixture {
 protected:
  std::string auth_yaml() const override { return "  email: {enabled: true}\n"; }
  std::string extra_yaml() const override {
    return "email: {smtp_host: 127.0.0.1, smtp_port: " + std::to_string(tarpit_.port()) +
           ", smtp_use_tls: false, smtp_timeout_seconds: 3}\n";
  }
  // A session made directly in the state store: mail cannot reach anyone here.
  std::string session_of(const std::string& email) {
    store::StateStore store(config_.paths.state_db);
    identity::User user = identity::UserStore(store.database()).ensure(email, {});
    return "da_session=" +
           identity::SessionStore(store.database(), {}).create(user.id, "test", "", "").id;
  }

  Tarpit tarpit_;
};

TEST_F(PortalConcurrencyTest, ATarpitMailRelayDelaysNoOne) {
  std::string cookies = session_of("ana@example.com");
  std::atomic<bool> done{false};
  std::atomic<long> slowest_probe_ms{0};
  std::atomic<int> probes{0};
  std::thread prober([&] {
    while (!done) {
      for (const auto& [path, session] :
           {std::pair<std::string, std::string>{"/health", ""}, {"/dashboard", cookies}}) {
        auto started = Clock::now();
        auto answer = call("GET", path, session);
        long ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
        EXPECT_EQ(answer.status, 200) << path;
        if (ms > slowest_probe_ms) slowest_probe_ms = ms;
        ++probes;
      }
    }
  });
  std::vector<std::future<std::pair<int, long>>> requests;
  for (int i = 0; i < 20; ++i)
    requests.push_back(std::async(std::launch::async, [this, i] {
      std::string bind;
      auto started = Clock::now();
      auto answer = request_link("user" + std::to_string(i) + "@example.com", bind);
      return std::pair<int, long>(
          answer.status,
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
    }));
  for (auto& request : requests) {
    auto [status, ms] = request.get();
    EXPECT_EQ(status, 200);
    EXPECT_LT(ms, kMaxLinkRequestMs);
  }
  std::this_thread::sleep_for(1500ms);  // the senders now sit on the tarpit
  done = true;
  prober.join();
  EXPECT_GT(tarpit_.accepted(), 0);
  EXPECT_GT(probes, 10);
  EXPECT_LT(slowest_probe_ms, kMaxProbeMs) << "over " << probes << " probes";
}

}  // namespace
}  // namespace da::web
