// The SshdServer fixture itself: a throwaway Linux account logs in with its key
// (ssh, rsync over ssh) and another key is refused.
#include "support/process.hpp"
#include "support/random_name.hpp"
#include "support/sshd_server.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include <pwd.h>
#include <unistd.h>

namespace da {
namespace {

namespace fs = std::filesystem;
using testing::make_client_key;
using testing::read_text;
using testing::run_process;
using testing::SshdServer;
using testing::TempDir;

void give_to(const fs::path& path, const passwd& account) {
  ASSERT_EQ(::chown(path.c_str(), account.pw_uid, account.pw_gid), 0) << path;
}

class SshdFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!testing::sshd_tests_possible(&why)) GTEST_SKIP() << why;
    // mkdtemp made it 0700 root; the account must reach its home below it.
    fs::permissions(dir_.path(), fs::perms(0755));
    user_ = testing::random_name("datest_");
    home_ = dir_ / "home";
    auto added = run_process({"useradd", "-m", "-d", home_.string(), "-s", "/bin/sh", "-p", "*", user_});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    const passwd* account = ::getpwnam(user_.c_str());
    ASSERT_NE(account, nullptr);

    auto key = make_client_key(dir_.path(), "analyst");
    fs::create_directory(home_ / ".ssh");
    fs::permissions(home_ / ".ssh", fs::perms(0700));
    give_to(home_ / ".ssh", *account);
    auto authorized = dir_.write("home/.ssh/authorized_keys", key.public_key + "\n");
    fs::permissions(authorized, fs::perms(0600));
    give_to(authorized, *account);
    give_to(dir_.write("home/orders.csv", "id,total\n1,9.50\n2,12.00\n"), *account);

    fs::create_directory(dir_ / "sshd");
    server_.emplace(dir_ / "sshd");
    server_->start();
    config_ = server_->write_client_config(dir_ / "ssh_config", "analyst", user_, key.private_key);
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (user_.empty() || ::getpwnam(user_.c_str()) == nullptr) return;
    // A session process of the account may still be exiting; userdel refuses while it runs.
    for (int attempt = 0; attempt < 50; ++attempt) {
      if (run_process({"userdel", "-r", user_}).exit_code == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (::getpwnam(user_.c_str()) != nullptr) {
      auto forced = run_process({"userdel", "-r", "-f", user_});
      ADD_FAILURE() << "userdel -r " << user_ << " needed -f: " << forced.err;
    }
  }

  std::string sshd_log() const { return server_ ? server_->log() : ""; }

  TempDir dir_;
  std::string user_;
  fs::path home_;
  std::optional<SshdServer> server_;
  fs::path config_;
};

TEST_F(SshdFixture, RunsACommandAsTheAccount) {
  auto echo = run_process({"ssh", "-F", config_.string(), "analyst", "echo", "hello"});
  ASSERT_EQ(echo.exit_code, 0) << echo.err << "\nsshd log:\n" << sshd_log();
  EXPECT_EQ(echo.out, "hello\n");
  auto who = run_process({"ssh", "-F", config_.string(), "analyst", "id", "-un"});
  EXPECT_EQ(who.out, user_ + "\n") << who.err;
}

TEST_F(SshdFixture, RsyncPullsAFileFromTheHome) {
  fs::create_directory(dir_ / "pulled");
  auto pulled = run_process({"rsync", "-a", "-e", "ssh -F " + config_.string(), "analyst:orders.csv",
                             (dir_ / "pulled").string() + "/"});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err << "\nsshd log:\n" << sshd_log();
  EXPECT_EQ(read_text(dir_ / "pulled/orders.csv"), "id,total\n1,9.50\n2,12.00\n");
}

TEST_F(SshdFixture, RefusesAKeyThatIsNotAuthorized) {
  auto stranger = make_client_key(dir_.path(), "stranger");
  auto config = server_->write_client_config(dir_ / "stranger_config", "analyst", user_, stranger.private_key);
  auto refused = run_process({"ssh", "-F", config.string(), "analyst", "echo", "hello"});
  EXPECT_EQ(refused.exit_code, 255) << refused.out << refused.err;
  EXPECT_EQ(refused.out, "");
  EXPECT_NE(refused.err.find("Permission denied"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace da
