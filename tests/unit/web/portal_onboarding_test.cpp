// Onboarding through the real account helper, as root: the dashboard's "register your SSH key"
// creates the analyst's Linux account through `da account-helper`'s socket, and selection
// changes rewrite the analyst's rsync filter. Skipped unless running as root.
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "account_helper/account_helper.hpp"
#include "portal_fixture.hpp"
#include "support/process.hpp"
#include "support/sshd_server.hpp"
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/accounts/helper_client.hpp"
#include "da/common/error.hpp"
#include "da/identity/username.hpp"

namespace da::web {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

class OnboardingTest : public PortalFixture {
 protected:
  std::string extra_yaml() const override {
    return "accounts:\n  home_root: " + (temp_ / "homes").string() +
           "\n  helper_socket: " + socket_.string() + "\n";
  }
  identity::AccountProvisioner* provisioner() override { return &provisioner_; }

  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "creating Linux accounts needs root";
    fs::permissions(temp_.path(), fs::perms(0755));
    fs::create_directories(temp_ / "homes");
    PortalFixture::SetUp();
    helper_ = std::make_unique<services::account_helper::AccountHelper>(config_, std::set<uid_t>{});
    server_thread_ = std::thread([this] { helper_->serve(socket_, 0, stop_); });
    for (int i = 0; i < 100 && !fs::exists(socket_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    key_ = da::testing::make_client_key(temp_.path(), "analyst");
  }

  void TearDown() override {
    if (::geteuid() != 0) return;
    stop_ = true;
    if (server_thread_.joinable()) server_thread_.join();
    PortalFixture::TearDown();
    if (::getpwnam(user_.c_str())) da::testing::run_process({"userdel", "-f", user_.c_str()});
    EXPECT_EQ(::getpwnam(user_.c_str()), nullptr);
  }

  // Unique per test: ctest runs tests in parallel processes, and accounts are machine-wide.
  std::string email_ = "on" + std::to_string(::getpid()) + "@example.com";
  std::string user_ = identity::derive_username(email_);
  fs::path socket_ = temp_ / "helper.sock";
  accounts::HelperProvisioner provisioner_{temp_ / "helper.sock"};
  std::unique_ptr<services::account_helper::AccountHelper> helper_;
  std::thread server_thread_;
  std::atomic<bool> stop_{false};
  da::testing::SshClientKey key_;
};

TEST_F(OnboardingTest, RegisteringAKeyCreatesTheAccountAtOnce) {
  std::string cookies = sign_in(email_);
  std::string csrf = csrf_of(cookies);
  auto started = Clock::now();
  auto form = call("POST", "/register", cookies,
                   "ssh_key=" + net::url_encode(key_.public_key) + "&csrf_token=" + csrf,
                   "application/x-www-form-urlencoded");
  auto elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf("register SSH key -> account ready: %.3f s\n", elapsed);
  EXPECT_EQ(form.header("location"), "/dashboard?notice=account_ready");
  EXPECT_LT(elapsed, 5.0);
  const passwd* account = ::getpwnam(user_.c_str());
  ASSERT_NE(account, nullptr);
  fs::path home = temp_ / "homes" / user_.c_str();
  EXPECT_EQ(da::testing::read_text(home / ".ssh/authorized_keys"), key_.public_key + "\n");
  EXPECT_TRUE(fs::is_symlink(home / "server/parquet"));
  std::string filter = da::testing::read_text(home / ".sync_rsync_filter");
  EXPECT_NE(filter.find("+ /parquet/"), std::string::npos) << filter;
  EXPECT_NE(filter.find("orders"), std::string::npos) << filter;

  // Subscribing to nothing rewrites the filter at once.
  auto saved = call("POST", "/api/table-subscriptions", cookies,
                    Json{{"table_mode", "explicit"}, {"tables", Json::object()}}.dump(),
                    "application/json", {{"X-CSRF-Token", csrf}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  filter = da::testing::read_text(home / ".sync_rsync_filter");
  EXPECT_EQ(filter.find("orders"), std::string::npos) << filter;

  // Once an administrator (data-ops), the account is out of the portal's reach.
  ASSERT_EQ(da::testing::run_process({"usermod", "-aG", "data-ops", user_}).exit_code, 0);
  try {
    accounts::HelperClient(socket_).call(
        {{"op", "provision"}, {"username", user_}, {"ssh_key", key_.public_key}});
    ADD_FAILURE() << "the helper changed an administrator's account";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kAuth);
    EXPECT_NE(std::string(e.what()).find("administrator"), std::string::npos) << e.what();
  }
}

TEST_F(OnboardingTest, TheHelperCreatesOnlyWhatThePortalRegistered) {
  accounts::HelperClient client(socket_);
  try {
    client.call({{"op", "provision"}, {"username", user_}, {"ssh_key", key_.public_key}});
    ADD_FAILURE() << "a key the portal never registered was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kAuth);
  }
  EXPECT_EQ(::getpwnam(user_.c_str()), nullptr);
  for (const Json& request :
       {Json{{"op", "provision"}, {"username", "root"}, {"ssh_key", key_.public_key}},
        Json{{"op", "add_admin"}, {"username", user_}}, Json{{"op", "provision"}}}) {
    EXPECT_THROW(client.call(request), Error) << request.dump();
  }
}

TEST_F(OnboardingTest, TheHelperAnswersOnlyRootAndThePortalAccount) {
  // Anyone may connect here: the helper itself must tell callers apart.
  fs::permissions(socket_, fs::perms(0666));
  // After fork() in a threaded process only async-signal-safe calls are sound: raw syscalls.
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_.c_str(), sizeof address.sun_path - 1);
  const char request[] = "{\"op\":\"sync_filters\",\"username\":\"\"}\n";
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      ::_exit(4);
    // The helper may refuse and close before reading: no SIGPIPE, and the reply still counts.
    (void)::send(fd, request, sizeof request - 1, MSG_NOSIGNAL);
    char reply[512] = {};
    ssize_t got = ::read(fd, reply, sizeof reply - 1);
    if (got <= 0) ::_exit(4);
    ::_exit(std::strstr(reply, "\"ok\":false") && std::strstr(reply, "may not use") ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 1) << "0: served, 3: setuid failed, 4: no connection";
}

// A raw connection to `socket` that sends `text` and then nothing more.
int stalled_client(const fs::path& socket, const std::string& text) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  if (!text.empty()) {
    EXPECT_EQ(::send(fd, text.data(), text.size(), MSG_NOSIGNAL), ssize_t(text.size()));
  }
  return fd;
}

TEST_F(OnboardingTest, AStalledCallerDoesNotDelayTheNextOne) {
  int silent = stalled_client(socket_, "");
  int half = stalled_client(socket_, "{\"op\":\"sync_fil");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto started = Clock::now();
  // A request the helper answers without touching any account.
  try {
    accounts::HelperClient(socket_).call({{"op", "sync_filters"}, {"username", user_}});
    ADD_FAILURE() << "filters written for an account that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound) << e.what();
  }
  auto took = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  std::printf("helper answered next to two stalled callers in %.1f ms\n", took);
  EXPECT_LT(took, 200);
  ::close(silent);
  ::close(half);
}

TEST_F(OnboardingTest, AStalledCallerIsCutOffAtTheRequestDeadline) {
  fs::path quick_socket = temp_ / "quick.sock";
  services::account_helper::AccountHelper quick(config_, {}, std::chrono::milliseconds(300));
  std::atomic<bool> stop{false};
  std::thread server([&] { quick.serve(quick_socket, 0, stop); });
  for (int i = 0; i < 100 && !fs::exists(quick_socket); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto started = Clock::now();
  int half = stalled_client(quick_socket, "{\"op\":");
  // Closed (after an error line, if the helper got to write it) at the deadline.
  char reply[512];
  pollfd poll_fd{half, POLLIN, 0};
  while (::poll(&poll_fd, 1, 3000) == 1 && ::read(half, reply, sizeof reply) > 0) {
  }
  auto took = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  EXPECT_GE(took, 290);
  EXPECT_LT(took, 1000) << "the helper kept a stalled caller";
  ::close(half);
  stop = true;
  server.join();
}

TEST_F(OnboardingTest, AFieldOfTheWrongTypeIsNamedNotACrash) {
  accounts::HelperClient client(socket_);
  const std::pair<Json, std::string> cases[] = {
      {Json{{"op", 5}}, "field 'op' must be a string, not a number"},
      {Json{{"op", "provision"}, {"username", 123}, {"ssh_key", key_.public_key}},
       "field 'username' must be a string, not a number"},
      {Json{{"op", "provision"}, {"username", user_}, {"ssh_key", Json::array()}},
       "field 'ssh_key' must be a string, not an array"},
      {Json{{"op", "sync_filters"}, {"username", {{"a", 1}}}},
       "field 'username' must be a string, not an object"},
      {Json{{"username", user_}}, "field 'op' is required (a string)"},
      {Json::array({1, 2}), "must be a JSON object, not an array"}};
  for (const auto& [request, message] : cases) {
    try {
      client.call(request);
      ADD_FAILURE() << "accepted " << request.dump();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kRequest) << request.dump() << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos)
          << request.dump() << ": " << e.what();
    }
  }
  EXPECT_EQ(::getpwnam(user_.c_str()), nullptr);
}

}  // namespace
}  // namespace da::web
