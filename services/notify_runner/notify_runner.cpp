#include "notify_runner.hpp"

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <thread>

#include "analyst_queue.hpp"
#include "script_process.hpp"
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "da/accounts/analyst_accounts.hpp"
#include "da/accounts/system_users.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/time.hpp"
#include "da/common/worker_pool.hpp"
#include "da/identity/user_store.hpp"
#include "da/notify/image_store.hpp"
#include "da/notify/outbox.hpp"
#include "da/notify/script_result.hpp"
#include "da/notify/script_store.hpp"
#include "da/store/state_store.hpp"

namespace da::services::notify_runner {

namespace fs = std::filesystem;

namespace {

constexpr const char* kScriptFolder = "user/notifications";
// Expired notifications stay this long for the admin view, then go with their images.
constexpr std::chrono::hours kKeepExpired{24 * 7};

struct Script {
  std::string name;
  bool executable = false;
};

// The scripts in `home`/user/notifications that belong to `uid`: opened component by
// component without following links, so a planted link leads nowhere.
std::vector<Script> scripts_of(const Account& account) {
  std::vector<Script> scripts;
  int fd = ::open(account.home.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  for (const char* part : {"user", "notifications"}) {
    if (fd < 0) return scripts;
    int next = ::openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    ::close(fd);
    fd = next;
  }
  if (fd < 0) return scripts;
  DIR* directory = ::fdopendir(fd);
  if (!directory) {
    ::close(fd);
    return scripts;
  }
  while (dirent* entry = ::readdir(directory)) {
    std::string name = entry->d_name;
    if (name.empty() || name[0] == '.') continue;
    struct stat info {};
    if (::fstatat(::dirfd(directory), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISREG(info.st_mode) || info.st_uid != account.uid) continue;
    bool executable = (info.st_mode & S_IXUSR) != 0;
    bool python = name.size() > 3 && name.substr(name.size() - 3) == ".py";
    if (executable || python) scripts.push_back({name, executable});
  }
  ::closedir(directory);
  std::sort(scripts.begin(), scripts.end(),
            [](const Script& a, const Script& b) { return a.name < b.name; });
  return scripts;
}

std::optional<Account> account_named(const std::string& name) {
  auto user = accounts::find_system_user(name);
  if (!user || !user->in_group(accounts::kReadGroup) || user->uid == 0) return std::nullopt;
  return Account{user->name, user->uid, user->gid, user->home};
}

// Holds an exclusive lock on a file per analyst while their scripts run.
class AnalystLock {
 public:
  AnalystLock(const fs::path& dir, const std::string& name) {
    std::error_code ignored;
    fs::create_directories(dir, ignored);
    fd_ = ::open((dir / (name + ".lock")).c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    held_ = fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
  }
  ~AnalystLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool held() const { return held_; }

 private:
  int fd_ = -1;
  bool held_ = false;
};

ScriptRun run_script(const config::InstanceConfig& config,
                     const notify::NotificationsSettings& notifications,
                     const ScriptContainment& containment, const Account& account, int64_t user_id,
                     const Script& script, bool on_demand, const std::atomic<bool>& stop) {
  ScriptRun run{account.name, script.name, "failed", std::nullopt, std::nullopt};
  fs::path path = account.home / kScriptFolder / script.name;
  std::vector<std::string> argv = {path.string()};
  if (!script.executable) argv = {"/usr/bin/python3", path.string()};
  if (!script.executable && ::access("/usr/bin/python3", X_OK) != 0) {
    run.error = "python3 is not installed on the server; make the script executable instead";
    return run;
  }
  ScriptOutput output;
  try {
    output = run_as(account, argv, std::chrono::seconds(notifications.script_timeout_seconds), stop,
                    containment);
  } catch (const Error& e) {
    run.error = e.what();
    return run;
  }
  if (output.stopped) {
    run.error = "the runner stopped before the script finished";
    return run;
  }
  if (output.timed_out) {
    run.error = "stopped after " + std::to_string(notifications.script_timeout_seconds) +
                " s (notifications.script_timeout_seconds)";
    return run;
  }
  if (output.exit_code != 0) {
    std::string tail = output.err.substr(output.err.size() > 300 ? output.err.size() - 300 : 0);
    run.error = "exit " + std::to_string(output.exit_code) + (tail.empty() ? "" : ": " + tail);
    return run;
  }
  notify::ScriptResult result;
  try {
    result = notify::parse_script_output(output.out);
  } catch (const Error& e) {
    run.error = e.what();
    return run;
  }
  if (!result.notify) {
    run.status = "quiet";
    return run;
  }
  store::StateStore store(config.paths.state_db);
  notify::ScriptStore scripts(store.database());
  if (!on_demand) {
    auto last = scripts.last_sent_at(user_id, script.name);
    int64_t cooldown_micros = static_cast<int64_t>(result.cooldown.count()) * 1'000'000;
    if (last && to_epoch_micros(now_utc()) - *last < cooldown_micros) {
      run.status = "cooldown";
      return run;
    }
  }
  notify::NewNotification notification;
  notification.user_id = user_id;
  notification.title = result.title;
  notification.message = result.message;
  notification.script = script.name;
  notification.source = on_demand ? "run" : "runner";
  if (result.image_path) {
    try {
      notification.image = notify::ImageStore(notifications.image_dir)
                               .put_file(*result.image_path, account.uid, false);
    } catch (const Error& e) {
      log::warn("{}/{}: image not attached: {}", account.name, script.name, e.what());
    }
  }
  auto stored = notify::Outbox(store.database()).enqueue(notification);
  run.notification_id = stored.id;
  run.status = stored.deliveries.empty() ? "no_channel" : "sent";
  return run;
}

}  // namespace

NotifyRunner::NotifyRunner(config::InstanceConfig config)
    : config_(std::move(config)),
      notifications_(notify::NotificationsSettings::from(config_)),
      containment_(notifications_.script_containment) {}

std::vector<ScriptRun> NotifyRunner::run_all() {
  std::vector<std::string> names = accounts::group_members(accounts::kReadGroup);
  std::vector<std::vector<ScriptRun>> runs(names.size());
  {
    WorkerPool pool(notifications_.runner_workers);
    for (std::size_t i = 0; i < names.size(); ++i)
      pool.submit([this, &names, &runs, i] { runs[i] = run_analyst(names[i], never_stop_); });
  }
  std::vector<ScriptRun> all;
  for (std::vector<ScriptRun>& of_analyst : runs)
    std::move(of_analyst.begin(), of_analyst.end(), std::back_inserter(all));
  return all;
}

std::vector<ScriptRun> NotifyRunner::run_analyst(const std::string& name,
                                                 const std::atomic<bool>& stop) {
  std::vector<ScriptRun> runs;
  auto account = account_named(name);
  if (!account) return runs;
  int64_t user_id = 0;
  {
    store::StateStore store(config_.paths.state_db);
    auto user = identity::UserStore(store.database()).find_by_username(name);
    if (!user || user->disabled) return runs;
    user_id = user->id;
  }
  std::vector<Script> scripts = scripts_of(*account);
  std::vector<std::string> names;
  for (const Script& script : scripts)
    names.push_back(script.name);
  {
    store::StateStore store(config_.paths.state_db);
    notify::ScriptStore(store.database()).record_present(user_id, names);
  }
  if (scripts.empty()) return runs;
  AnalystLock lock(config_.paths.data_dir / "notify_runner", name);
  for (const Script& script : scripts) {
    if (stop.load()) break;
    ScriptRun run = lock.held() ? run_script(config_, notifications_, containment_, *account,
                                             user_id, script, false, stop)
                                : ScriptRun{name, script.name, "busy", std::nullopt, std::nullopt};
    if (run.status != "busy") {
      store::StateStore store(config_.paths.state_db);
      notify::ScriptStore(store.database())
          .record_run(user_id, script.name, run.status, run.error, run.status == "sent");
    }
    if (run.error) log::warn("notification script {}/{}: {}", name, script.name, *run.error);
    runs.push_back(std::move(run));
  }
  return runs;
}

ScriptRun NotifyRunner::run_now(const std::string& username, const std::string& script_name) {
  return run_one(username, script_name, never_stop_);
}

ScriptRun NotifyRunner::run_one(const std::string& username, const std::string& script_name,
                                const std::atomic<bool>& stop) {
  auto account = account_named(username);
  if (!account) throw Error(ErrorKind::kNotFound, "there is no analyst account '" + username + "'");
  int64_t user_id = 0;
  {
    store::StateStore store(config_.paths.state_db);
    auto user = identity::UserStore(store.database()).find_by_username(username);
    if (!user) throw Error(ErrorKind::kNotFound, "'" + username + "' has no portal user");
    user_id = user->id;
  }
  std::vector<Script> scripts = scripts_of(*account);
  auto found = std::find_if(scripts.begin(), scripts.end(),
                            [&](const Script& script) { return script.name == script_name; });
  if (found == scripts.end())
    throw Error(ErrorKind::kNotFound,
                "no notification script '" + script_name + "' of " + username);
  AnalystLock lock(config_.paths.data_dir / "notify_runner", username);
  if (!lock.held()) return {username, script_name, "busy", std::nullopt, std::nullopt};
  ScriptRun run =
      run_script(config_, notifications_, containment_, *account, user_id, *found, true, stop);
  store::StateStore store(config_.paths.state_db);
  notify::ScriptStore(store.database())
      .record_run(user_id, script_name, run.status, run.error, run.status == "sent");
  return run;
}

int NotifyRunner::purge_expired() {
  store::StateStore store(config_.paths.state_db);
  notify::ImageStore images(notifications_.image_dir);
  int removed = 0;
  for (const std::string& image : notify::Outbox(store.database()).purge(kKeepExpired))
    removed += images.remove(image) ? 1 : 0;
  return removed;
}

std::string NotifyRunner::username_of(int64_t user_id) {
  store::StateStore store(config_.paths.state_db);
  auto user = identity::UserStore(store.database()).find_by_id(user_id);
  return user ? user->username : "";
}

void NotifyRunner::run_request(const notify::RunRequest& request, const std::string& username,
                               const std::atomic<bool>& stop) {
  std::string outcome;
  if (stop.load()) {
    outcome = "failed: the runner stopped before running it; ask again";
  } else {
    try {
      ScriptRun run = run_one(username, request.script, stop);
      outcome = run.status + (run.error ? ": " + *run.error : "");
    } catch (const Error& e) {
      outcome = std::string("failed: ") + e.what();
    }
  }
  store::StateStore store(config_.paths.state_db);
  notify::ScriptStore(store.database()).finish_request(request.id, outcome);
}

int NotifyRunner::run_requests() {
  std::vector<notify::RunRequest> requests;
  {
    store::StateStore store(config_.paths.state_db);
    requests = notify::ScriptStore(store.database()).take_requests(20);
  }
  for (const notify::RunRequest& request : requests)
    run_request(request, username_of(request.user_id), never_stop_);
  return static_cast<int>(requests.size());
}

void NotifyRunner::serve(std::chrono::seconds interval, const std::atomic<bool>& stop) {
  log::info("notification runner: {} worker(s), scripts contained by {}",
            notifications_.runner_workers, containment_.describe());
  AnalystQueue queue(notifications_.runner_workers);
  auto next_pass = std::chrono::steady_clock::now();
  while (!stop.load()) {
    if (std::chrono::steady_clock::now() >= next_pass) {
      int started = 0;
      // An analyst whose last pass or run is still going is not queued twice.
      for (const std::string& name : accounts::group_members(accounts::kReadGroup)) {
        if (queue.busy(name)) continue;
        queue.submit(name, [this, name, &stop] { run_analyst(name, stop); });
        ++started;
      }
      log::info("notification runner: a pass over {} analyst(s)", started);
      purge_expired();
      next_pass = std::chrono::steady_clock::now() + interval;
    }
    // Requests are taken only as workers come free, so none waits here unstarted.
    std::vector<notify::RunRequest> requests;
    if (queue.pending() < static_cast<std::size_t>(queue.workers())) {
      store::StateStore store(config_.paths.state_db);
      requests = notify::ScriptStore(store.database()).take_requests(queue.workers());
    }
    for (const notify::RunRequest& request : requests) {
      std::string username = username_of(request.user_id);
      queue.submit(username,
                   [this, request, username, &stop] { run_request(request, username, stop); });
    }
    if (requests.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace da::services::notify_runner
