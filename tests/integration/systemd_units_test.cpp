// The shipped systemd units (every systemd/ folder up to three levels down): `systemd-analyze
// verify` finds nothing to say about them, `systemd-analyze security` rates each, and each
// unit's ExecStart= serves when started the way its unit says: as its User= (a temporary
// account stands in for `da`), with its environment and sandbox applied by tests/tools/
// unit_exec (systemd is not PID 1 here), on a test instance mounted at /opt/data-analyst.
#include <algorithm>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "fakes/telegram/fake_telegram.hpp"
#include "support/background_process.hpp"
#include "support/process.hpp"
#include "support/random_name.hpp"
#include "support/temp_dir.hpp"
#include "support/ws_client.hpp"
#include <grp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/common/error.hpp"
#include "da/config/sync_schedule.hpp"
#include "da/identity/ssh_key.hpp"
#include "da/identity/user_store.hpp"
#include "da/identity/username.hpp"
#include "da/notify/outbox.hpp"
#include "da/notify/telegram_links.hpp"
#include "da/store/state_store.hpp"

namespace da {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::run_process;
using testing::TempDir;

constexpr const char* kKey =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDFCGjLqhNIwPbD7UJBEAj6Q0S+yGI9/yI1nWOhT3hR1 me@laptop";

// Every unit file of the source tree: <module>/systemd/, <area>/<module>/systemd/ and
// src/broker/<component>/systemd/ and src/broker/commands/<module>/systemd/, as CMake finds them.
std::vector<fs::path> unit_files() {
  std::vector<fs::path> found;
  std::function<void(const fs::path&, int)> visit = [&](const fs::path& dir, int depth) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      std::string name = entry.path().filename();
      if (!entry.is_directory() || name[0] == '.' || name.rfind("build", 0) == 0 ||
          name == "third_party" || name == "node_modules")
        continue;
      if (name == "systemd") {
        for (const auto& file : fs::directory_iterator(entry.path()))
          if (file.path().extension() == ".service" || file.path().extension() == ".timer")
            found.push_back(file.path());
      } else if (depth < 4) {
        visit(entry.path(), depth + 1);
      }
    }
  };
  visit(DA_SOURCE_DIR, 0);
  std::sort(found.begin(), found.end());
  return found;
}

fs::path unit_file(const std::string& name) {
  for (const fs::path& file : unit_files())
    if (file.filename() == name) return file;
  ADD_FAILURE() << "no unit " << name;
  return {};
}

std::string setting(const fs::path& unit, const std::string& key) {
  std::ifstream in(unit);
  std::string value;
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + "=", 0) == 0) value = line.substr(key.size() + 1);
  return value;
}

// The unit files with /usr/bin/da replaced by the binary under test, in `dir`
// (`systemd-analyze verify` checks that ExecStart= names an executable).
void render_units(const fs::path& dir) {
  for (const fs::path& file : unit_files()) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    std::ofstream(dir / file.filename())
        << std::regex_replace(text.str(), std::regex("/usr/bin/da "), std::string(DA_BINARY) + " ");
  }
}

TEST(SystemdUnits, EveryServiceAndTimerIsShipped) {
  std::set<std::string> names;
  for (const fs::path& file : unit_files())
    names.insert(file.filename());
  EXPECT_EQ(names, (std::set<std::string>{"da-account-helper.service", "da-jira-check.service",
                                          "da-jira-check.timer", "da-jira-check-deep.service",
                                          "da-jira-check-deep.timer", "da-jira-sla-poll.service",
                                          "da-jira-sla-poll.timer", "da-jira-worker.service",
                                          "da-notify-api.service", "da-notify-runner.service",
                                          "da-portal.service", "da-sync.service", "da-sync.timer",
                                          "da-telegram-bot.service", "da-ws-gateway.service"}));
}

TEST(SystemdUnits, VerifyHasNothingToSayAboutAnyUnit) {
  TempDir dir;
  render_units(dir.path());
  for (const fs::path& file : unit_files()) {
    fs::path rendered = dir / file.filename().string();
    auto result = run_process({"systemd-analyze", "verify", "--man=no", rendered.string()});
    std::string said = result.out + result.err;
    EXPECT_EQ(result.exit_code, 0) << file.filename() << ":\n" << said;
    // Other units of this machine may be mentioned (dependencies); ours must not be.
    EXPECT_EQ(said.find("da-"), std::string::npos) << file.filename() << ":\n" << said;
  }
}

TEST(SystemdUnits, EveryUnitNamesTheInstalledBinaryAndTakesTheInstanceFromTheEnvironment) {
  for (const fs::path& file : unit_files()) {
    if (file.extension() != ".service") continue;
    SCOPED_TRACE(file.filename());
    EXPECT_EQ(setting(file, "ExecStart").rfind("/usr/bin/da ", 0), 0u);
    EXPECT_EQ(setting(file, "Environment"), "DA_CONFIG_DIR=/opt/data-analyst/config");
    EXPECT_EQ(setting(file, "EnvironmentFile"), "-/etc/default/da");
    EXPECT_EQ(setting(file, "ExecStart").find("--config"), std::string::npos);
    EXPECT_NE(setting(file, "User"), "");
    EXPECT_EQ(setting(file, "NoNewPrivileges"), "yes");
    EXPECT_EQ(setting(file, "ProtectSystem"), "strict");
    EXPECT_EQ(setting(file, "PrivateTmp"), "yes");
    if (setting(file, "User") == "root") {
      EXPECT_NE(setting(file, "CapabilityBoundingSet"), "")
          << "a root service names the capabilities it keeps";
    }
  }
}

TEST(SystemdUnits, TheirEnableKeysAreConfigurationKeys) {
  // Keys of instance.yaml.example: a typo would leave a unit disabled forever.
  auto example = testing::read_text(fs::path(DA_SOURCE_DIR) / "config" / "instance.yaml.example");
  for (const fs::path& file : unit_files()) {
    std::string keys = setting(file, "X-DA-Enable-When");
    std::istringstream words(keys);
    for (std::string key; words >> key;) {
      std::string leaf = key.substr(key.rfind('.') + 1);
      EXPECT_NE(example.find(leaf + ":"), std::string::npos) << file.filename() << ": " << key;
    }
  }
  EXPECT_EQ(setting(unit_file("da-telegram-bot.service"), "X-DA-Enable-When"),
            "telegram.bot_token");
  EXPECT_EQ(setting(unit_file("da-ws-gateway.service"), "X-DA-Enable-When"), "desktop.jwt_secret");
  EXPECT_EQ(setting(unit_file("da-account-helper.service"), "X-DA-Enable-When"),
            "accounts.helper_socket");
  EXPECT_EQ(setting(unit_file("da-sync.timer"), "X-DA-Enable-When"), "");
  EXPECT_EQ(setting(unit_file("da-jira-worker.service"), "X-DA-Enable-When"), "jira.base_url");
  for (const char* unit :
       {"da-jira-check.timer", "da-jira-check-deep.timer", "da-jira-sla-poll.timer"})
    EXPECT_EQ(setting(unit_file(unit), "X-DA-Enable-When"), "jira.base_url") << unit;
}

// "→ Overall exposure level for da-x.service: 1.2 OK 🙂" -> {1.2, "OK"}
std::pair<double, std::string> exposure(const fs::path& unit) {
  auto result =
      run_process({"systemd-analyze", "security", "--offline=true", "--no-pager", unit.string()});
  std::smatch match;
  static const std::regex overall("Overall exposure level for [^:]+: ([0-9.]+) ([A-Z]+)");
  if (!std::regex_search(result.out, match, overall)) {
    ADD_FAILURE() << unit.filename() << ": " << result.out << result.err;
    return {99, "?"};
  }
  return {std::stod(match[1].str()), match[2].str()};
}

TEST(SystemdUnits, SecurityRatesEveryServiceOkOrSafe) {
  TempDir dir;
  render_units(dir.path());
  for (const fs::path& file : unit_files()) {
    if (file.extension() != ".service") continue;
    auto [score, rating] = exposure(dir / file.filename().string());
    std::string user = setting(file, "User");
    std::cout << "  " << file.filename().string() << " (" << user << "): " << score << " " << rating
              << "\n";
    ::testing::Test::RecordProperty(file.filename().string(), std::to_string(score) + " " + rating);
    EXPECT_TRUE(rating == "SAFE" || rating == "OK")
        << file.filename() << ": " << score << " " << rating;
  }
}

TEST(SystemdUnits, OurScheduleValidatorAgreesWithSystemd) {
  for (const char* entry :
       {"06:00", "6:05", "23:59", "daily", "Weekly", "Mon..Fri *-*-* 06:00:00", "mon,fri 9:30",
        "*-*-01 03:00:00 UTC", "*-02~03 12:00", "*:0/15", "Tue 10:00:30.5", "*-*-* 8,12,16:00",
        "Mon *-*-* 06:00 Europe/Prague", "2030-01-01", "*-*-1..7 06:00"}) {
    std::string expression = config::on_calendar(entry);
    auto systemd = run_process({"systemd-analyze", "calendar", expression});
    EXPECT_EQ(systemd.exit_code, 0) << entry << " -> " << expression << ": " << systemd.err;
  }
  for (const char* entry :
       {"24:00", "06:60", "at noon", "Funday 06:00", "*-13-01 06:00", "06:00 Mars/Olympus",
        "06:00 07:00", "*-*-* 06:00:00:00", "Mon Tue", "06:00/0", "5..3:00", "06:00 UTC UTC",
        "*-*-32 00:00", "Sun..Mon", "*/2:00", ",Mon 06:00", "Mon.. 06:00"}) {
    EXPECT_THROW(config::on_calendar(entry), Error) << entry;
    EXPECT_NE(run_process({"systemd-analyze", "calendar", entry}).exit_code, 0)
        << entry << " is refused here but systemd takes it";
  }
}

TEST(SystemdUnits, TheScheduleDropInReplacesTheTimersTimes) {
  TempDir dir;
  render_units(dir.path());
  dir.write("config/instance.yaml", "sync:\n  schedule: ['05:30', 'Sat,Sun 09:00']\n");
  auto dropin =
      testing::run_da({"--config", (dir / "config").string(), "sync-schedule", "--systemd"});
  ASSERT_EQ(dropin.exit_code, 0) << dropin.err;
  dir.write("da-sync.timer.d/schedule.conf", dropin.out);
  auto verify =
      run_process({"systemd-analyze", "verify", "--man=no", (dir / "da-sync.timer").string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ((verify.out + verify.err).find("da-"), std::string::npos) << verify.out << verify.err;
}

// A module registers each periodic job with the timer it ships: the timer is one of the units,
// starts a service that runs the job's command, and takes the job's drop-in.
TEST(SystemdUnits, EveryPeriodicJobsTimerIsShippedRunsTheJobAndTakesItsDropIn) {
  TempDir dir;
  render_units(dir.path());
  dir.write("config/instance.yaml", "sync:\n  schedule: ['05:30', 'Sat,Sun 09:00']\n");
  auto listed = testing::run_da({"--config", (dir / "config").string(), "--json", "schedule"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  auto jobs = nlohmann::json::parse(listed.out);
  ASSERT_FALSE(jobs.empty());
  for (const auto& job : jobs) {
    std::string name = job["name"];
    std::string timer = job["timer"];
    SCOPED_TRACE(name + " " + timer);
    fs::path file = unit_file(timer);
    if (file.empty()) continue;
    std::string service = setting(file, "Unit");
    if (service.empty()) service = timer.substr(0, timer.size() - 6) + ".service";
    EXPECT_EQ(setting(unit_file(service), "ExecStart"),
              "/usr/bin/" + job["command"].get<std::string>());
    auto dropin =
        testing::run_da({"--config", (dir / "config").string(), "schedule", "--systemd", name});
    ASSERT_EQ(dropin.exit_code, 0) << dropin.err;
    dir.write(timer + ".d/schedule.conf", dropin.out);
    auto verify = run_process({"systemd-analyze", "verify", "--man=no", (dir / timer).string()});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    EXPECT_EQ((verify.out + verify.err).find("da-"), std::string::npos) << verify.out << verify.err;
  }
}

// A Unix-socket HTTP/1.0 exchange: the whole answer, "" when the socket does not answer.
std::string http_over_unix(const fs::path& socket, const std::string& request) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket.c_str());
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char buffer[4096];
    for (ssize_t got; (got = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
      answer.append(buffer, static_cast<size_t>(got));
  }
  ::close(fd);
  return answer;
}

// A temporary system account standing in for `da`, removed afterwards.
class ServiceAccount {
 public:
  ServiceAccount() : name_(testing::random_name("dau")) {
    auto added = run_process({"useradd", "--system", "--user-group", "--no-create-home",
                              "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name_});
    EXPECT_EQ(added.exit_code, 0) << added.err;
    if (passwd* account = ::getpwnam(name_.c_str())) {
      uid_ = account->pw_uid;
      gid_ = account->pw_gid;
    }
  }
  ~ServiceAccount() { run_process({"userdel", name_}); }
  const std::string& name() const { return name_; }
  uid_t uid() const { return uid_; }
  gid_t gid() const { return gid_; }

 private:
  std::string name_;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
};

// Whether the units' PrivateTmp=yes hides `path` from the command they start (systemd and
// unit_exec give it a private /tmp and /var/tmp).
bool hidden_by_private_tmp(const fs::path& path) {
  fs::path real = fs::weakly_canonical(path);
  for (const fs::path tmp : {"/tmp", "/var/tmp"}) {
    if (std::mismatch(tmp.begin(), tmp.end(), real.begin(), real.end()).first == tmp.end())
      return true;
  }
  return false;
}

// An instance laid out as on a server (shared decisions of issue 15): /opt/data-analyst root's,
// config/ 0750 root:da with instance.yaml and .env 0640, data/ and docs/ da's.
class UnitRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "starting units as their users needs root";
    ASSERT_FALSE(hidden_by_private_tmp(DA_BINARY))
        << "build tree under /tmp is hidden by PrivateTmp=yes; build elsewhere (" << DA_BINARY
        << " is under /tmp or /var/tmp, which the command a unit runs cannot see)";
    fs::permissions(dir_.path(), fs::perms(0755));
    ws_port_ = testing::free_port();
    write_instance();
  }

  void write_instance() {
    dir_.write("instance/config/instance.yaml",
               "instance: {name: Units}\n"
               "server:\n"
               "  hostname: data.example.com\n"
               "  listen: unix:/run/da/portal.sock\n"
               "  trusted_proxies: [unix]\n"
               "auth:\n"
               "  allowed_domain: example.com\n"
               "  webapp_secret_key: ${WEBAPP_SECRET_KEY}\n"
               "paths: {data_dir: ./data, docs_dir: ./docs}\n"
               "data_source: {type: csv, csv: {base_dir: ./data/incoming}}\n"
               "accounts:\n"
               "  home_root: /home\n"
               "  helper_socket: /run/da/account-helper.sock\n"
               "  portal_user: " +
                   account_.name() +
                   "\n"
                   "notifications:\n"
                   "  api_socket: /run/da/notify.sock\n"
                   "  ws_listen: 127.0.0.1:" +
                   std::to_string(ws_port_) +
                   "\n"
                   "telegram:\n"
                   "  bot_token: ${TELEGRAM_BOT_TOKEN}\n"
                   "  api_url: " +
                   telegram_.api_base() +
                   "\n"
                   "desktop:\n"
                   "  jwt_secret: ${DESKTOP_JWT_SECRET}\n");
    // The loader reads .env itself: the units name no EnvironmentFile= for it.
    dir_.write("instance/config/.env",
               "WEBAPP_SECRET_KEY=0123456789abcdef0123456789abcdef01\n"
               "TELEGRAM_BOT_TOKEN=" +
                   telegram_.token() +
                   "\n"
                   "DESKTOP_JWT_SECRET=fedcba9876543210fedcba9876543210fe\n");
    dir_.write("instance/docs/data_description.md",
               "```yaml\ntables:\n  - {id: in.c-shop.orders, name: orders, primary_key: id, "
               "sync_strategy: full_refresh, source: orders.csv}\n```\n");
    dir_.write("instance/data/incoming/orders.csv", "id,amount\n1,10\n2,20\n");
    fs::create_directories(dir_ / "run-da");
    fs::create_directories(dir_ / "home");
    own(dir_ / "instance", 0, 0, 0755);
    own(dir_ / "instance" / "config", 0, account_.gid(), 0750);
    own(dir_ / "instance" / "config" / "instance.yaml", 0, account_.gid(), 0640);
    own(dir_ / "instance" / "config" / ".env", 0, account_.gid(), 0640);
    for (const char* writable : {"data", "docs"})
      for (const auto& entry : fs::recursive_directory_iterator(dir_ / "instance" / writable))
        own(entry.path(), account_.uid(), account_.gid(), entry.is_directory() ? 0755 : 0644);
    own(dir_ / "instance" / "data", account_.uid(), account_.gid(), 0755);
    own(dir_ / "instance" / "docs", account_.uid(), account_.gid(), 0755);
  }

  void TearDown() override {
    for (const std::string& name : analysts_)
      run_process({"userdel", "-f", name});
  }

  // Everything in data/ to the service account, as setup leaves it (the test wrote some as root).
  void hand_data_to_service_account() {
    for (const auto& entry : fs::recursive_directory_iterator(dir_ / "instance" / "data"))
      own(entry.path(), account_.uid(), account_.gid(), entry.is_directory() ? 0750 : 0640);
  }

  struct Analyst {
    std::string name;
    int64_t user_id = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    fs::path home;  // as the test sees it
  };

  // A real analyst account made by `da admin add-analyst` (as root) with the home in the
  // test's /home, and their portal account with a linked Telegram chat; removed at the end.
  Analyst add_analyst() {
    Analyst analyst;
    std::string email = testing::random_name("un") + "@example.com";
    analyst.name = identity::derive_username(email);
    {
      store::StateStore store(dir_ / "instance" / "data" / "state.db");
      analyst.user_id = identity::UserStore(store.database()).ensure(email, {}).id;
      notify::TelegramLinks links(store.database());
      links.redeem(links.issue_code(77), analyst.user_id);
    }
    std::vector<std::string> argv = {UNIT_EXEC_BINARY, "--layout-only"};
    for (const std::string& arg : layout())
      argv.push_back(arg);
    argv.insert(argv.end(), {"--", DA_BINARY, "--config", "/opt/data-analyst/config", "admin",
                             "add-analyst", analyst.name, kKey});
    auto added = run_process(argv);
    analysts_.push_back(analyst.name);
    EXPECT_EQ(added.exit_code, 0) << added.out << added.err;
    if (passwd* account = ::getpwnam(analyst.name.c_str())) {
      analyst.uid = account->pw_uid;
      analyst.gid = account->pw_gid;
    }
    analyst.home = dir_ / "home" / analyst.name;
    hand_data_to_service_account();
    return analyst;
  }

  static void own(const fs::path& path, uid_t uid, gid_t gid, mode_t mode) {
    ASSERT_EQ(::chown(path.c_str(), uid, gid), 0) << path;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
  }

  // unit_exec's layout: the instance at /opt/data-analyst, /run/da and /home from the test.
  std::vector<std::string> layout() const {
    return {"--tmpfs", "/opt",
            "--bind",  (dir_ / "instance").string() + ":/opt/data-analyst",
            "--tmpfs", "/run",
            "--bind",  (dir_ / "run-da").string() + ":/run/da",
            "--bind",  (dir_ / "home").string() + ":/home"};
  }

  std::vector<std::string> unit_command(const std::string& unit,
                                        const std::vector<std::string>& env = {}) const {
    std::vector<std::string> argv = {UNIT_EXEC_BINARY,
                                     "--unit",
                                     unit_file(unit).string(),
                                     "--user",
                                     account_.name(),
                                     "--exec-replace",
                                     std::string("/usr/bin/da=") + DA_BINARY};
    for (const std::string& arg : layout())
      argv.push_back(arg);
    for (const std::string& assignment : env)
      argv.insert(argv.end(), {"--env", assignment});
    return argv;
  }

  // The unit's ExecStart= in the background, as its unit starts it.
  testing::BackgroundProcess& start(const std::string& unit,
                                    const std::vector<std::string>& env = {}) {
    service_.emplace(unit_command(unit, env), dir_ / (unit + ".log"));
    return *service_;
  }

  // Waits until `path` (a file the service creates) exists; false if the service ended first.
  bool wait_for(const fs::path& path, std::chrono::seconds timeout = 30s) {
    for (auto end = std::chrono::steady_clock::now() + timeout;
         std::chrono::steady_clock::now() < end;) {
      if (fs::exists(path)) return true;
      if (!service_->running()) return false;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  // Stops the service (SIGTERM) and expects a clean exit.
  void expect_clean_stop() {
    int status = service_->stop(20s);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status << "\n"
                                                               << service_->output();
  }

  TempDir dir_;
  ServiceAccount account_;
  fakes::FakeTelegram telegram_{"4242:units-test-token"};
  uint16_t ws_port_ = 0;
  std::vector<std::string> analysts_;
  std::optional<testing::BackgroundProcess> service_;
};

// `request` over a Unix socket as `uid`/`gid` (a child process drops to them): what the
// send API sees through SO_PEERCRED.
std::string http_over_unix_as(uid_t uid, gid_t gid, const fs::path& socket,
                              const std::string& request) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "";
  pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) ::_exit(1);
    std::string answer = http_over_unix(socket, request);
    ::write(pipe_fds[1], answer.data(), answer.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string answer;
  char buffer[4096];
  for (ssize_t got; (got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
    answer.append(buffer, static_cast<size_t>(got));
  ::close(pipe_fds[0]);
  ::waitpid(child, nullptr, 0);
  return answer;
}

// sd_notify's receiving end, in /run/da so that the sandboxed portal can reach it.
class NotifyReceiver {
 public:
  NotifyReceiver(const fs::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ::chmod(path.c_str(), 0666);
  }
  ~NotifyReceiver() { ::close(fd_); }
  std::string next(std::chrono::milliseconds timeout) {
    pollfd wait{fd_, POLLIN, 0};
    if (::poll(&wait, 1, static_cast<int>(timeout.count())) != 1) return "";
    char buffer[4096];
    ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
    return got > 0 ? std::string(buffer, static_cast<size_t>(got)) : "";
  }

 private:
  int fd_ = -1;
};

// What unit_exec applies is real: writes outside ReadWritePaths=, a filtered system call, W+X
// memory, a dropped capability and a hidden file all fail as they would under systemd.
TEST_F(UnitRunTest, TheStandInForSystemdEnforcesTheSandbox) {
  auto run = [&](const std::string& service, const std::string& exec) {
    dir_.write("probe.service", "[Service]\n" + service + "ExecStart=" + exec + "\n");
    std::vector<std::string> argv = {UNIT_EXEC_BINARY, "--unit", (dir_ / "probe.service").string(),
                                     "--user", account_.name()};
    for (const std::string& arg : layout())
      argv.push_back(arg);
    return run_process(argv);
  };
  const std::string strict =
      "User=da\nProtectSystem=strict\nReadWritePaths=/opt/data-analyst/data\n";
  EXPECT_EQ(run(strict, "/usr/bin/touch /opt/data-analyst/data/written").exit_code, 0);
  auto refused = run(strict, "/usr/bin/touch /opt/data-analyst/docs/written");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("Read-only file system"), std::string::npos) << refused.err;
  EXPECT_NE(
      run("User=root\nPrivateTmp=yes\n", "/usr/bin/test -e " + dir_.path().string()).exit_code, 0);

  auto filtered =
      run("User=root\nSystemCallFilter=@system-service\nSystemCallFilter=~@privileged\n"
          "SystemCallErrorNumber=EPERM\n",
          "/usr/bin/chown root /opt/data-analyst/data/written");
  EXPECT_NE(filtered.err.find("Operation not permitted"), std::string::npos) << filtered.err;
  dir_.write("instance/data/inet.py", "import socket\nsocket.socket(socket.AF_INET)\n");
  EXPECT_EQ(run("User=da\n", "/usr/bin/python3 /opt/data-analyst/data/inet.py").exit_code, 0);
  auto unix_only = run("User=da\nRestrictAddressFamilies=AF_UNIX\n",
                       "/usr/bin/python3 /opt/data-analyst/data/inet.py");
  EXPECT_NE(unix_only.err.find("Address family not supported"), std::string::npos) << unix_only.err;
  dir_.write(
      "instance/data/wx.py",
      "import mmap\nmmap.mmap(-1, 4096, prot=mmap.PROT_READ|mmap.PROT_WRITE|mmap.PROT_EXEC)\n");
  EXPECT_EQ(run("User=da\n", "/usr/bin/python3 /opt/data-analyst/data/wx.py").exit_code, 0);
  EXPECT_NE(
      run("User=da\nMemoryDenyWriteExecute=yes\n", "/usr/bin/python3 /opt/data-analyst/data/wx.py")
          .exit_code,
      0);

  // config/ is root:da 0750: root reads it only with CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH.
  std::string env_file = "/opt/data-analyst/config/.env";
  own(dir_ / "instance" / "config" / ".env", account_.uid(), account_.gid(), 0600);
  EXPECT_EQ(run("User=root\n", "/usr/bin/cat " + env_file).exit_code, 0);
  EXPECT_NE(
      run("User=root\nCapabilityBoundingSet=CAP_CHOWN\n", "/usr/bin/cat " + env_file).exit_code, 0);
  const std::string reader =
      "User=da\nAmbientCapabilities=CAP_DAC_READ_SEARCH\nCapabilityBoundingSet=CAP_DAC_READ_"
      "SEARCH\n";
  EXPECT_NE(run(reader, "/usr/bin/cat /etc/shadow").out.find("root:"), std::string::npos);
  // Hidden behind an empty file of mode 000, as systemd does it.
  EXPECT_EQ(run(reader + "InaccessiblePaths=-/etc/shadow\n", "/usr/bin/cat /etc/shadow").out, "");
  EXPECT_NE(run("User=da\n", "/usr/bin/cat /etc/shadow").exit_code, 0);
}

TEST_F(UnitRunTest, ThePortalReportsReadyFeedsItsWatchdogAndServesItsSocket) {
  NotifyReceiver systemd(dir_ / "run-da" / ".systemd-notify");
  auto& portal = start("da-portal.service",
                       {"NOTIFY_SOCKET=/run/da/.systemd-notify", "WATCHDOG_USEC=2000000"});
  std::string ready = systemd.next(60s);
  ASSERT_EQ(ready.rfind("READY=1", 0), 0u) << ready << portal.output();
  EXPECT_EQ(systemd.next(3s), "WATCHDOG=1") << portal.output();
  struct stat socket {};
  ASSERT_EQ(::stat((dir_ / "run-da" / "portal.sock").c_str(), &socket), 0);
  EXPECT_EQ(socket.st_uid, account_.uid());
  std::string health = http_over_unix(dir_ / "run-da" / "portal.sock",
                                      "GET /health HTTP/1.0\r\nHost: data.example.com\r\n\r\n");
  EXPECT_EQ(health.rfind("HTTP/1.0 200", 0), 0u) << health << portal.output();
  EXPECT_NE(health.find(R"({"status":"ok"})"), std::string::npos) << health;
  struct stat store {};
  ASSERT_EQ(::stat((dir_ / "instance" / "data" / "state.db").c_str(), &store), 0);
  EXPECT_EQ(store.st_uid, account_.uid());  // created and migrated by the portal
  expect_clean_stop();
}

TEST_F(UnitRunTest, TheSyncRunsToTheEndAndPublishes) {
  auto& sync = start("da-sync.service");
  for (int i = 0; i < 1200 && sync.running(); ++i)
    std::this_thread::sleep_for(100ms);
  int status = sync.stop(1s);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << "\n" << sync.output();
  bool published = false;
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "instance" / "data"))
    published = published || entry.path().filename() == "orders.parquet";
  EXPECT_TRUE(published) << sync.output();
}

TEST_F(UnitRunTest, TheTelegramBotAnswersThroughTheBotApi) {
  auto& bot = start("da-telegram-bot.service");
  telegram_.push_message(42, "/start");
  EXPECT_TRUE(telegram_.wait_for_sent(1, 30s)) << bot.output();
  expect_clean_stop();
}

TEST_F(UnitRunTest, TheWebSocketGatewayAcceptsAndChecksTokens) {
  auto& gateway = start("da-ws-gateway.service");
  ASSERT_TRUE(gateway.wait_for_port(ws_port_, 30s)) << gateway.output();
  testing::WsClient client(ws_port_, "https://data.example.com");
  ASSERT_EQ(client.status(), 101) << gateway.output();
  client.send_text(R"({"type":"auth","token":"not-a-token"})");
  testing::WsFrame frame = client.receive(10s);
  EXPECT_NE(frame.text.find("auth_error"), std::string::npos) << frame.text << gateway.output();
  expect_clean_stop();
}

TEST_F(UnitRunTest, TheSendApiAnswersOnItsSocketWithoutRoot) {
  auto& api = start("da-notify-api.service");
  ASSERT_TRUE(wait_for(dir_ / "run-da" / "notify.sock")) << api.output();
  std::string health =
      http_over_unix(dir_ / "run-da" / "notify.sock", "GET /health HTTP/1.1\r\nHost: da\r\n\r\n");
  EXPECT_NE(health.find(R"({"status":"ok"})"), std::string::npos) << health << api.output();
  std::ifstream status("/proc/" + std::to_string(api.pid()) + "/status");
  std::string line, uid;
  while (std::getline(status, line))
    if (line.rfind("Uid:", 0) == 0) uid = line;
  EXPECT_NE(uid.find(std::to_string(account_.uid())), std::string::npos) << uid;
  expect_clean_stop();
}

TEST_F(UnitRunTest, TheSendApiReadsTheImageInAnAnalystsHomeWithItsOneCapability) {
  Analyst analyst = add_analyst();
  fs::path image = analyst.home / "chart.png";
  std::ofstream(image) << std::string("\x89PNG\r\n\x1a\n", 8) << "not really an image";
  own(image, analyst.uid, analyst.gid, 0600);
  auto& api = start("da-notify-api.service");
  ASSERT_TRUE(wait_for(dir_ / "run-da" / "notify.sock")) << api.output();
  std::string body = nlohmann::json{
      {"user", analyst.name},
      {"photo_path", "/home/" + analyst.name + "/chart.png"},
      {"caption",
       "weekly"}}.dump();
  std::string answer = http_over_unix_as(
      analyst.uid, analyst.gid, dir_ / "run-da" / "notify.sock",
      "POST /send_photo HTTP/1.1\r\nHost: da\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\n\r\n" + body);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer << api.output();
  EXPECT_NE(answer.find(R"("ok":true)"), std::string::npos) << answer;
  expect_clean_stop();
}

// The owner of `path` once whoever created it had 100 ms to chown it; nullopt when it is
// missing or went away meanwhile.
std::optional<uid_t> settled_owner(const fs::path& path) {
  struct stat first {};
  if (::stat(path.c_str(), &first) != 0) return std::nullopt;
  struct stat now = first;
  for (int i = 0; i < 100 && now.st_uid == 0; ++i) {
    std::this_thread::sleep_for(1ms);
    if (::stat(path.c_str(), &now) != 0 || now.st_ino != first.st_ino) return std::nullopt;
  }
  return now.st_uid;
}

TEST_F(UnitRunTest, TheNotificationRunnerRunsAScriptAsItsAnalystInsideTheSandbox) {
  Analyst analyst = add_analyst();
  fs::path script = analyst.home / "user" / "notifications" / "check.sh";
  std::ofstream(script) << "#!/bin/sh\nprintf '{\"notify\":true,\"title\":\"T\",\"message\":"
                           "\"from %s\"}' \"$(id -un)\"\n";
  own(script, analyst.uid, analyst.gid, 0755);
  auto& runner = start("da-notify-runner.service");
  // SQLite gives the -wal/-shm files it creates as root to the database's owner (CAP_CHOWN):
  // da processes opening the store meanwhile must still write it. The runner opens the store
  // every quarter second; catch those files before the test opens the store itself.
  std::map<std::string, uid_t> owners;
  for (int i = 0; i < 20000 && owners.size() < 2 && runner.running(); ++i) {
    for (const char* file : {"state.db-wal", "state.db-shm"})
      if (!owners.count(file))
        if (auto owner = settled_owner(dir_ / "instance" / "data" / file)) owners[file] = *owner;
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(owners, (std::map<std::string, uid_t>{{"state.db-shm", account_.uid()},
                                                  {"state.db-wal", account_.uid()}}))
      << "the runner's -wal/-shm files were not seen given to da (files that stay root's vanish "
         "with their connection before they settle)\n"
      << runner.output();
  std::string message;
  for (int i = 0; i < 300 && message.empty() && runner.running(); ++i) {
    std::this_thread::sleep_for(100ms);
    store::StateStore store(dir_ / "instance" / "data" / "state.db");
    for (const auto& notification : notify::Outbox(store.database()).recent(5, analyst.user_id))
      message = notification.message;
  }
  EXPECT_EQ(message, "from " + analyst.name) << runner.output();
  expect_clean_stop();
}

TEST_F(UnitRunTest, TheAccountHelperCreatesAnAnalystWithItsFewCapabilities) {
  std::string email = testing::random_name("uh") + "@example.com";
  std::string name = identity::derive_username(email);
  {
    store::StateStore store(dir_ / "instance" / "data" / "state.db");
    identity::UserStore users(store.database());
    auto user = users.ensure(email, {});
    users.set_ssh_key(user.id, identity::normalize_ssh_public_key(kKey));
  }
  hand_data_to_service_account();
  auto& helper = start("da-account-helper.service");
  ASSERT_TRUE(wait_for(dir_ / "run-da" / "account-helper.sock")) << helper.output();
  std::string answer = http_over_unix(
      dir_ / "run-da" / "account-helper.sock",
      nlohmann::json{{"op", "provision"}, {"username", name}, {"ssh_key", kKey}}.dump() + "\n");
  passwd* created = ::getpwnam(name.c_str());
  if (created) run_process({"userdel", "-f", name});
  ASSERT_NE(answer.find(R"("ok":true)"), std::string::npos) << answer << helper.output();
  ASSERT_NE(created, nullptr);
  fs::path keys = dir_ / "home" / name / ".ssh" / "authorized_keys";
  EXPECT_TRUE(fs::exists(keys)) << helper.output();
  expect_clean_stop();
}

TEST_F(UnitRunTest, TheNotificationRunnerRunsAsRootUntilStopped) {
  auto& runner = start("da-notify-runner.service");
  for (int i = 0; i < 300 && runner.output().find("notification runner:") == std::string::npos; ++i)
    std::this_thread::sleep_for(100ms);
  EXPECT_NE(runner.output().find("notification runner:"), std::string::npos) << runner.output();
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(runner.running()) << runner.output();
  expect_clean_stop();
}

}  // namespace
}  // namespace da
