#include "da/distribution/ssh_pull.hpp"

#include <algorithm>
#include <map>
#include <thread>

#include <unistd.h>

#include "da/common/error.hpp"
#include "da/common/file_stamp.hpp"
#include "da/common/log.hpp"
#include "da/common/subprocess.hpp"

namespace da::distribution {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRemoteFilter = ".sync_rsync_filter";
constexpr const char* kPartialDir = ".rsync-partial";

// What rsync's exit codes mean, for the error message; and whether trying again may help.
struct RsyncExit {
  const char* meaning;
  bool transient;
};

RsyncExit explain(int code) {
  switch (code) {
    case 1: return {"syntax or usage error", false};
    case 2: return {"protocol incompatibility", false};
    case 3: return {"errors selecting input/output files", false};
    case 5: return {"error starting the client-server protocol", true};
    case 10: return {"error in socket I/O", true};
    case 11: return {"error in file I/O", false};
    case 12: return {"error in the rsync protocol data stream", true};
    case 20: return {"interrupted", false};
    case 23: return {"partial transfer: some files could not be transferred", true};
    case 24: return {"partial transfer: source files vanished during the transfer", true};
    case 30: return {"timeout in data send/receive", true};
    case 35: return {"timeout waiting for the daemon connection", true};
    case 255: return {"the SSH connection failed", true};
    default: return {"rsync failed", true};
  }
}

// rsync's -e value. rsync splits it on spaces and honours single quotes.
std::string ssh_command(const SshPullOptions& options) {
  std::string command =
      "ssh -o BatchMode=yes -o ServerAliveInterval=15 -o ServerAliveCountMax=4 "
      "-o ConnectTimeout=20";
  if (!options.ssh_config.empty()) {
    std::string path = fs::absolute(options.ssh_config).string();
    if (path.find('\'') != std::string::npos)
      throw Error(ErrorKind::kConfig, "the ssh config path must not contain a quote: " + path);
    command += " -F '" + path + "'";
  }
  return command;
}

bool refused_key(const std::string& output) {
  return output.find("Permission denied") != std::string::npos ||
         output.find("Too many authentication failures") != std::string::npos;
}

// Runs rsync with `arguments` (after the common ones), retrying transient failures.
int run_rsync(const SshPullOptions& options, const std::vector<std::string>& arguments,
              const std::string& what, bool progress) {
  std::vector<std::string> argv = {"rsync",
                                   "--recursive",
                                   "--links",
                                   "--times",
                                   "--perms",
                                   "--timeout=" + std::to_string(options.io_timeout_seconds),
                                   std::string("--partial-dir=") + kPartialDir,
                                   "-e",
                                   ssh_command(options)};
  if (progress) argv.push_back("--info=progress2");
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  SubprocessOptions run;
  run.output = progress ? SubprocessOptions::Output::kCaptureErrors
                        : SubprocessOptions::Output::kCapture;
  auto delay = options.retry_delay;
  for (int attempt = 1;; ++attempt) {
    SubprocessResult result = run_subprocess(argv, run);
    if (result.ok()) return attempt;
    // 255 is ssh's own failure; rsync's "Permission denied" on a file is something else.
    if (result.exit_code == 255 && refused_key(result.output))
      throw Error(ErrorKind::kAuth,
                  options.host + " refused this machine's SSH key (" + result.last_line() +
                      "): register your public key on the portal's dashboard");
    if (result.output.find(kRemoteFilter) != std::string::npos &&
        result.output.find("No such file") != std::string::npos)
      throw Error(ErrorKind::kNotFound,
                  options.host + " keeps no " + kRemoteFilter +
                      " for you: ask an administrator to run `da admin sync-filters`");
    RsyncExit exit = explain(result.exit_code);
    if (!exit.transient || attempt >= options.attempts)
      throw Error(ErrorKind::kSource,
                  what + " failed after " + std::to_string(attempt) + " attempt(s): rsync exit " +
                      std::to_string(result.exit_code) + " (" + exit.meaning + ")" +
                      (result.output.empty() ? "" : ": " + result.last_line()));
    log::warn("{}: rsync exit {} ({}), trying again in {} s", what, result.exit_code,
              exit.meaning, delay.count());
    std::this_thread::sleep_for(delay);
    delay *= 2;
  }
}

// Every file below `root` (links not followed) with its stamp: what tells whether a transfer
// changed anything.
std::map<std::string, std::pair<int64_t, int64_t>> snapshot(const fs::path& root) {
  std::map<std::string, std::pair<int64_t, int64_t>> files;
  std::error_code error;
  for (fs::recursive_directory_iterator it(root, error), end; !error && it != end;
       it.increment(error)) {
    if (auto stamp = regular_file_stamp(it->path()))
      files[it->path().string()] = {stamp->size, stamp->mtime_ns};
    else if (it->is_symlink(error))
      files[it->path().string()] = {-1, -1};
  }
  return files;
}

}  // namespace

SshPullReport pull_ssh(const SshPullOptions& options) {
  fs::path state = options.workspace / ".da";
  fs::path server = options.workspace / "server";
  fs::create_directories(state);
  fs::create_directories(server);
  fs::path filter = fs::absolute(state / "rsync_filter");
  bool progress = options.show_progress && ::isatty(STDOUT_FILENO);
  SshPullReport report;
  report.attempts += run_rsync(options, {options.host + ":" + kRemoteFilter, filter.string()},
                               "fetching the rsync filter from " + options.host, false);
  auto before = snapshot(server);
  // --copy-dirlinks: ~/server/docs and ~/server/parquet are links on the broker, directories
  // here. Files arrive read-only: server/ is a mirror. The partial-dir is protected before the
  // filter's final "- *" can reach it.
  report.attempts += run_rsync(options,
                               {"--copy-dirlinks", "--delete", "--delete-excluded",
                                "--chmod=Fa-w,Du+w",
                                std::string("--filter=P ") + kPartialDir + "/",
                                "--filter=merge " + filter.string(), options.host + ":server/",
                                server.string() + "/"},
                               "pulling server/ from " + options.host, progress);
  auto after = snapshot(server);
  for (const auto& [path, stamp] : after) {
    auto found = before.find(path);
    if (found != before.end() && found->second == stamp) continue;
    ++report.files_changed;
    report.bytes_changed += std::max<int64_t>(stamp.first, 0);
  }
  for (const auto& [path, stamp] : before)
    report.files_removed += after.count(path) ? 0 : 1;
  report.changed = report.files_changed > 0 || report.files_removed > 0;
  return report;
}

void push_ssh(const SshPullOptions& options) {
  fs::path user = options.workspace / "user";
  bool progress = options.show_progress && ::isatty(STDOUT_FILENO);
  if (fs::is_directory(user))
    run_rsync(options,
              {std::string("--exclude=") + kPartialDir + "/", user.string() + "/",
               options.host + ":user/"},
              "pushing user/ to " + options.host, progress);
  fs::path local_notes = options.workspace / "CLAUDE.local.md";
  if (regular_file_stamp(local_notes))
    run_rsync(options, {local_notes.string(), options.host + ":CLAUDE.local.md"},
              "pushing CLAUDE.local.md to " + options.host, false);
}

}  // namespace da::distribution
