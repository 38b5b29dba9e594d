// The notification runner as root, with a real analyst account: scripts run as their owner,
// their JSON goes to the outbox, cooldown, timeout, bad output, the overlap lock, links and
// foreign files ignored, on-demand runs, and the shipped shell examples.
#include "support/process.hpp"
#include "support/random_name.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>


#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include "da/identity/user_store.hpp"
#include "da/identity/username.hpp"
#include "da/notify/outbox.hpp"
#include "da/notify/script_store.hpp"
#include "da/notify/telegram_links.hpp"
#include "da/store/state_store.hpp"

namespace da {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;
using testing::run_da;
using testing::run_process;
using testing::TempDir;

constexpr const char* kKey =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDFCGjLqhNIwPbD7UJBEAj6Q0S+yGI9/yI1nWOhT3hR1 me@laptop";

class NotifyRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the runner switches to analysts' accounts: needs root";
    fs::permissions(dir_.path(), fs::perms(0755));
    email_ = testing::random_name("nr") + "@example.com";
    user_ = identity::derive_username(email_);
    dir_.write("broker/config/instance.yaml",
               "paths:\n  data_dir: ./data\n  docs_dir: ./docs\naccounts:\n  home_root: " +
                   (dir_ / "homes").string() + "\nnotifications:\n  script_timeout_seconds: 2\n");
    dir_.write("broker/docs/data_description.md",
               "```yaml\ntables:\n  - {id: in.c-shop.orders, name: orders, sync_strategy: "
               "full_refresh}\n```\n");
    fs::create_directories(dir_ / "homes");
    {
      store::StateStore store(state_db());
      auto user = identity::UserStore(store.database()).ensure(email_, {});
      user_id_ = user.id;
      notify::TelegramLinks links(store.database());
      links.redeem(links.issue_code(77), user.id);
    }
    auto added = da({"admin", "add-analyst", user_, kKey});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    home_ = dir_ / "homes" / user_;
    account_ = ::getpwnam(user_.c_str());
    ASSERT_NE(account_, nullptr);
  }

  void TearDown() override {
    if (::geteuid() != 0) return;
    if (::getpwnam(user_.c_str())) run_process({"userdel", "-f", user_});
  }

  fs::path state_db() { return dir_ / "broker" / "data" / "state.db"; }
  ProcessResult da(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"--config", (dir_ / "broker" / "config").string()});
    return run_da(arguments);
  }
  // A script in the analyst's folder, owned by them.
  fs::path script(const std::string& name, const std::string& body, bool executable = true) {
    fs::path file = dir_.write("homes/" + user_ + "/user/notifications/" + name, body);
    fs::permissions(file, fs::perms(executable ? 0755 : 0644));
    EXPECT_EQ(::chown(file.c_str(), account_->pw_uid, account_->pw_gid), 0);
    return file;
  }
  std::vector<notify::Notification> outbox() {
    store::StateStore store(state_db());
    return notify::Outbox(store.database()).recent(100, user_id_);
  }
  static std::string line_of(const std::string& out, const std::string& script) {
    auto at = out.find("/" + script + ": ");
    if (at == std::string::npos) return "";
    return out.substr(at + script.size() + 3, out.find('\n', at) - at - script.size() - 3);
  }

  TempDir dir_;
  std::string email_, user_;
  int64_t user_id_ = 0;
  fs::path home_;
  const passwd* account_ = nullptr;
};

TEST_F(NotifyRunnerTest, ScriptsRunAsTheirOwnerAndReachTheOutbox) {
  script("who.sh",
         "#!/bin/sh\nprintf '{\"notify\": true, \"title\": \"I am %s\", \"message\": \"in %s\", "
         "\"cooldown\": \"1h\"}\\n' \"$(id -un)\" \"$(pwd)\"\n");
  script("quiet.sh", "#!/bin/sh\necho progress...\necho '{\"notify\": false}'\n");
  script("bad.sh", "#!/bin/sh\necho 'not json'\n");
  script("crash.sh", "#!/bin/sh\necho oops >&2\nexit 3\n");
  script("slow.sh", "#!/bin/sh\nsleep 30\n");
  script("quiet_slow.sh", "#!/bin/sh\nexec >/dev/null 2>&1\nsleep 30\n");
  fs::create_symlink("/bin/true", home_ / "user/notifications/link.sh");
  dir_.write("homes/" + user_ + "/user/notifications/roots.sh", "#!/bin/sh\necho '{\"notify\": true}'\n");
  fs::permissions(home_ / "user/notifications/roots.sh", fs::perms(0755));  // owned by root

  auto started = std::chrono::steady_clock::now();
  auto run = da({"notify-runner", "--once"});
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(15));
  EXPECT_EQ(run.exit_code, 1) << "failed scripts make the pass fail: " << run.out << run.err;
  EXPECT_EQ(line_of(run.out, "who.sh"), "sent") << run.out;
  EXPECT_EQ(line_of(run.out, "quiet.sh"), "quiet") << run.out;
  EXPECT_NE(line_of(run.out, "bad.sh").find("failed (the script did not print a JSON"), std::string::npos) << run.out;
  EXPECT_NE(line_of(run.out, "crash.sh").find("exit 3: oops"), std::string::npos) << run.out;
  EXPECT_NE(line_of(run.out, "slow.sh").find("stopped after 2 s"), std::string::npos) << run.out;
  EXPECT_NE(line_of(run.out, "quiet_slow.sh").find("stopped after 2 s"), std::string::npos)
      << "a script that closed its output escaped the timeout: " << run.out;
  EXPECT_EQ(line_of(run.out, "link.sh"), "") << "a link was followed";
  EXPECT_EQ(line_of(run.out, "roots.sh"), "") << "a file of someone else ran";

  auto sent = outbox();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].title, "I am " + user_);
  EXPECT_EQ(sent[0].message, "in " + home_.string());
  EXPECT_EQ(sent[0].script.value_or(""), "who.sh");
  ASSERT_EQ(sent[0].deliveries.size(), 1u);
  EXPECT_EQ(sent[0].deliveries[0].status, "pending");

  // The bot's /status reads what the runner saw.
  {
    store::StateStore store(state_db());
    auto scripts = notify::ScriptStore(store.database()).list(user_id_);
    EXPECT_EQ(scripts.size(), 6u);
  }

  // Within the cooldown nothing more is sent; on demand it is.
  run = da({"notify-runner", "--once"});
  EXPECT_EQ(line_of(run.out, "who.sh"), "cooldown") << run.out;
  EXPECT_EQ(outbox().size(), 1u);
  auto now = da({"notify-runner", "--user", user_, "--script", "who.sh"});
  EXPECT_EQ(now.exit_code, 0) << now.err;
  EXPECT_EQ(outbox().size(), 2u);
}

TEST_F(NotifyRunnerTest, TwoRunnersNeverRunOneAnalystsScriptsAtOnce) {
  script("who.sh", "#!/bin/sh\necho '{\"notify\": true, \"title\": \"t\"}'\n");
  fs::create_directories(dir_ / "broker/data/notify_runner");
  int fd = ::open((dir_ / "broker/data/notify_runner" / (user_ + ".lock")).c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  auto run = da({"notify-runner", "--once"});
  EXPECT_EQ(line_of(run.out, "who.sh"), "busy") << run.out;
  EXPECT_TRUE(outbox().empty());
  ::close(fd);
  run = da({"notify-runner", "--once"});
  EXPECT_EQ(line_of(run.out, "who.sh"), "sent") << run.out;
}

TEST_F(NotifyRunnerTest, TheShellExamplesWorkOnAWorkspace) {
  for (const char* name : {"data_freshness.sh", "revenue_drop.sh"})
    script(name, testing::read_text(fs::path(DA_SOURCE_DIR) / "examples/notifications" / name));
  auto run = da({"notify-runner", "--once"});
  // No data yet: freshness says so, the revenue check stays quiet.
  EXPECT_EQ(line_of(run.out, "data_freshness.sh"), "sent") << run.out << run.err;
  EXPECT_EQ(line_of(run.out, "revenue_drop.sh"), "quiet") << run.out << run.err;
  ASSERT_EQ(outbox().size(), 1u);
  EXPECT_EQ(outbox()[0].title, "No data");
}

}  // namespace
}  // namespace da
