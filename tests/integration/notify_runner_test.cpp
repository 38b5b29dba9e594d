// The notification runner as root, with real analyst accounts: scripts run as their owner,
// their JSON goes to the outbox, cooldown, timeout, bad output, the overlap lock, links and
// foreign files ignored, on-demand runs, the shipped shell examples, nothing a script started
// outliving it (cgroup and subreaper containment), and analysts' scripts side by side.
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/process.hpp"
#include "support/random_name.hpp"
#include "support/temp_dir.hpp"
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/wait.h>
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

using Clock = std::chrono::steady_clock;

constexpr const char* kKey =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDFCGjLqhNIwPbD7UJBEAj6Q0S+yGI9/yI1nWOhT3hR1 me@laptop";

// A script that hides children from a process-group kill in both usual ways (a new session, and
// a double fork whose middle process exits), then waits for the timeout.
constexpr const char* kEscapingScript =
    "#!/bin/sh\nsetsid sleep 300 &\n( setsid sh -c 'sleep 300' & )\nsleep 300\n";

// The processes of `uid` now, zombies included, as "pid name state".
std::vector<std::string> processes_of(uid_t uid) {
  std::vector<std::string> found;
  DIR* proc = ::opendir("/proc");
  while (dirent* entry = proc ? ::readdir(proc) : nullptr) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    std::ifstream status(std::string("/proc/") + entry->d_name + "/status");
    std::string line, name, state;
    bool owned = false;
    while (std::getline(status, line)) {
      if (line.rfind("Name:", 0) == 0) name = line.substr(6);
      if (line.rfind("State:", 0) == 0) state = line.substr(7, 1);
      if (line.rfind("Uid:", 0) == 0) owned = std::stoul(line.substr(5)) == uid;
    }
    if (owned) found.push_back(std::string(entry->d_name) + " " + name + " " + state);
  }
  if (proc) ::closedir(proc);
  return found;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines)
    text += line + "\n";
  return text;
}

// Whether this machine lets root create a cgroup v2 child of its own cgroup (what
// script_containment: cgroup needs).
bool cgroups_work() {
  std::ifstream mounts("/proc/self/mountinfo");
  std::string line, mount_point;
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root;
    if (line.find(" - cgroup2 ") != std::string::npos)
      fields >> id >> parent >> device >> root >> mount_point;
  }
  std::ifstream own("/proc/self/cgroup");
  std::string path;
  while (std::getline(own, line))
    if (line.rfind("0::", 0) == 0) path = line.substr(3);
  if (mount_point.empty()) return false;
  fs::path probe = fs::path(mount_point + path) / ("da-test-probe-" + std::to_string(::getpid()));
  if (::mkdir(probe.c_str(), 0755) != 0) return false;
  bool usable = fs::exists(probe / "cgroup.procs");
  ::rmdir(probe.c_str());
  return usable;
}

class NotifyRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the runner switches to analysts' accounts: needs root";
    fs::permissions(dir_.path(), fs::perms(0755));
    email_ = testing::random_name("nr") + "@example.com";
    user_ = identity::derive_username(email_);
    configure("script_timeout_seconds: 2");
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
    for (const std::string& name : {user_, other_user_}) {
      const passwd* account = name.empty() ? nullptr : ::getpwnam(name.c_str());
      if (!account) continue;
      // Whatever a failed test left running goes before the account does.
      for (const std::string& process : processes_of(account->pw_uid))
        ::kill(std::stoi(process), SIGKILL);
      run_process({"userdel", "-f", name});
    }
  }

  // instance.yaml with `notifications` holding `settings` (YAML lines, "; "-separated).
  void configure(const std::string& settings) {
    std::string notifications;
    for (std::size_t start = 0; start < settings.size();) {
      std::size_t end = std::min(settings.find("; ", start), settings.size());
      notifications += "  " + settings.substr(start, end - start) + "\n";
      start = end + 2;
    }
    dir_.write("broker/config/instance.yaml",
               "paths:\n  data_dir: ./data\n  docs_dir: ./docs\naccounts:\n  home_root: " +
                   (dir_ / "homes").string() + "\nnotifications:\n" + notifications);
  }

  // `da` with `arguments` in the background, its output into `log`.
  pid_t start_da(std::vector<std::string> arguments, const fs::path& log) {
    arguments.insert(arguments.begin(),
                     {DA_BINARY, "--config", (dir_ / "broker" / "config").string()});
    pid_t pid = ::fork();
    if (pid == 0) {
      int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int null_fd = ::open("/dev/null", O_RDONLY);
      if (out < 0 || null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out, 1) < 0 ||
          ::dup2(out, 2) < 0)
        ::_exit(126);
      std::vector<char*> argv;
      for (std::string& argument : arguments)
        argv.push_back(argument.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    return pid;
  }

  // Waits up to `limit` for `pid` to end; false (and the process is killed) if it did not.
  static bool ended_within(pid_t pid, std::chrono::seconds limit) {
    auto deadline = Clock::now() + limit;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  fs::path state_db() { return dir_ / "broker" / "data" / "state.db"; }
  ProcessResult da(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"--config", (dir_ / "broker" / "config").string()});
    return run_da(arguments);
  }
  // A script in the analyst's folder (by default the fixture's analyst), owned by them.
  fs::path script(const std::string& name, const std::string& body, bool executable = true,
                  const std::string& owner = "") {
    const std::string& user = owner.empty() ? user_ : owner;
    const passwd* account = ::getpwnam(user.c_str());
    fs::path file = dir_.write("homes/" + user + "/user/notifications/" + name, body);
    fs::permissions(file, fs::perms(executable ? 0755 : 0644));
    EXPECT_EQ(::chown(file.c_str(), account->pw_uid, account->pw_gid), 0);
    return file;
  }
  std::vector<notify::Notification> outbox(int64_t user_id = 0) {
    store::StateStore store(state_db());
    return notify::Outbox(store.database()).recent(100, user_id ? user_id : user_id_);
  }
  // A second analyst, with a portal user; returns the portal user's id.
  int64_t add_other_analyst(const std::string& prefix) {
    std::string email = testing::random_name(prefix) + "@example.com";
    other_user_ = identity::derive_username(email);
    int64_t id = 0;
    {
      store::StateStore store(state_db());
      id = identity::UserStore(store.database()).ensure(email, {}).id;
      notify::TelegramLinks links(store.database());
      links.redeem(links.issue_code(78), id);
    }
    auto added = da({"admin", "add-analyst", other_user_, kKey});
    EXPECT_EQ(added.exit_code, 0) << added.err;
    return id;
  }
  // Runs the escaping script and two others under `containment`; nothing of the account may
  // remain afterwards.
  void expect_nothing_outlives_its_script(const std::string& containment);
  static std::string line_of(const std::string& out, const std::string& script) {
    auto at = out.find("/" + script + ": ");
    if (at == std::string::npos) return "";
    return out.substr(at + script.size() + 3, out.find('\n', at) - at - script.size() - 3);
  }

  TempDir dir_;
  std::string email_, user_;
  std::string other_user_;
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

void NotifyRunnerTest::expect_nothing_outlives_its_script(const std::string& containment) {
  configure("script_timeout_seconds: 2; script_containment: " + containment);
  script("escape.sh", kEscapingScript);
  // Done at once, but a child in its own session still holds the output open.
  script("leftover.sh", "#!/bin/sh\nsetsid sleep 300 &\necho '{\"notify\": false}'\n");
  script("where.sh",
         "#!/bin/sh\nprintf '{\"notify\": true, \"title\": \"where\", \"message\": \"%s\"}\\n' "
         "\"$(grep '^0::' /proc/self/cgroup)\"\n");
  auto run = da({"notify-runner", "--once"});
  EXPECT_NE(line_of(run.out, "escape.sh").find("stopped after 2 s"), std::string::npos)
      << run.out << run.err;
  EXPECT_EQ(line_of(run.out, "leftover.sh"), "quiet")
      << "the script ended but was held to its timeout: " << run.out << run.err;
  EXPECT_EQ(line_of(run.out, "where.sh"), "sent") << run.out << run.err;
  EXPECT_EQ(joined(processes_of(account_->pw_uid)), "")
      << "processes of " << user_ << " outlived their script";
  auto sent = outbox();
  ASSERT_EQ(sent.size(), 1u);
  bool in_cgroup = sent[0].message.find("/da-script-") != std::string::npos;
  EXPECT_EQ(in_cgroup, containment == "cgroup") << sent[0].message;
}

TEST_F(NotifyRunnerTest, NothingAScriptStartedOutlivesItInItsCgroup) {
  if (!cgroups_work()) GTEST_SKIP() << "cgroup v2 is not writable here";
  expect_nothing_outlives_its_script("cgroup");
}

TEST_F(NotifyRunnerTest, NothingAScriptStartedOutlivesItUnderTheSubreaperFallback) {
  expect_nothing_outlives_its_script("subreaper");
}

TEST_F(NotifyRunnerTest, StoppingTheRunnerEndsEverythingItsScriptsStarted) {
  configure("script_timeout_seconds: 120");
  // Scripts run with the signals the service blocks for itself unblocked again.
  script("a_mask.sh",
         "#!/bin/sh\nprintf '{\"notify\": true, \"title\": \"mask\", \"message\": \"%s\"}\\n' "
         "\"$(awk '/^SigBlk/ {print $2}' /proc/self/status)\"\n");
  script("escape.sh", kEscapingScript);
  pid_t runner = start_da({"notify-runner", "--interval", "300"}, dir_ / "runner.log");
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (processes_of(account_->pw_uid).size() < 4 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_GE(processes_of(account_->pw_uid).size(), 4u) << testing::read_text(dir_ / "runner.log");

  auto stopping = Clock::now();
  ::kill(runner, SIGTERM);
  EXPECT_TRUE(ended_within(runner, std::chrono::seconds(10)))
      << "the runner waited for its script: " << testing::read_text(dir_ / "runner.log");
  EXPECT_LT(Clock::now() - stopping, std::chrono::seconds(5));
  EXPECT_EQ(joined(processes_of(account_->pw_uid)), "")
      << "processes of " << user_ << " outlived the runner";
  auto sent = outbox();
  ASSERT_EQ(sent.size(), 1u) << testing::read_text(dir_ / "runner.log");
  EXPECT_EQ(sent[0].message, "0000000000000000") << "signals blocked in the script";
}

TEST_F(NotifyRunnerTest, OneAnalystsSlowScriptDoesNotDelayAnothers) {
  configure("script_timeout_seconds: 8; runner_workers: 4");
  // The fixture's analyst sorts first ("nr..."), so a one-at-a-time runner would start with them.
  script("slow.sh", "#!/bin/sh\nsleep 300\n");
  int64_t other_id = add_other_analyst("zz");
  script("fast.sh", "#!/bin/sh\necho '{\"notify\": true, \"title\": \"fast\"}'\n", true,
         other_user_);

  auto started = Clock::now();
  pid_t runner = start_da({"notify-runner", "--once"}, dir_ / "runner.log");
  while (outbox(other_id).empty() && Clock::now() - started < std::chrono::seconds(20))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto waited = Clock::now() - started;
  std::printf("the other analyst's notification after %.3f s (the slow script's timeout: 8 s)\n",
              std::chrono::duration<double>(waited).count());
  EXPECT_EQ(outbox(other_id).size(), 1u);
  EXPECT_LT(waited, std::chrono::seconds(3));
  EXPECT_TRUE(ended_within(runner, std::chrono::seconds(30)));
  std::string log = testing::read_text(dir_ / "runner.log");
  EXPECT_NE(line_of(log, "slow.sh").find("stopped after 8 s"), std::string::npos) << log;
  EXPECT_EQ(line_of(log, "fast.sh"), "sent") << log;
}

}  // namespace
}  // namespace da
