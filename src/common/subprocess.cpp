#include "da/common/subprocess.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

extern char** environ;

namespace da {

namespace {

using Clock = std::chrono::steady_clock;

class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

// The child starts with no signal blocked and every signal at its default disposition,
// whatever this process blocked or ignored (services block SIGTERM in every thread to wait
// for it; a child inheriting that could not be stopped).
class SpawnAttributes {
 public:
  SpawnAttributes() {
    posix_spawnattr_init(&attributes_);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes_, &none);
    sigset_t all;
    sigfillset(&all);
    posix_spawnattr_setsigdefault(&attributes_, &all);
    posix_spawnattr_setflags(&attributes_, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attributes_); }
  const posix_spawnattr_t* get() const { return &attributes_; }

 private:
  posix_spawnattr_t attributes_;
};

}  // namespace

std::string SubprocessResult::last_line() const {
  std::string text(trim(output));
  auto newline = text.rfind('\n');
  return newline == std::string::npos ? text : std::string(trim(text.substr(newline + 1)));
}

SubprocessResult run_subprocess(const std::vector<std::string>& argv,
                                const SubprocessOptions& options) {
  if (argv.empty()) throw Error(ErrorKind::kInternal, "run_subprocess: no program given");
  std::vector<char*> arguments;
  for (const std::string& argument : argv)
    arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);
  std::vector<std::string> environment_text;
  std::vector<char*> environment;
  for (const auto& [name, value] : options.environment)
    environment_text.push_back(name + "=" + value);
  for (std::string& entry : environment_text)
    environment.push_back(entry.data());
  environment.push_back(nullptr);
  char** child_environment = options.environment.empty() ? environ : environment.data();

  bool capture = options.output != SubprocessOptions::Output::kInherit;
  int pipe_fds[2] = {-1, -1};
  SpawnActions actions;
  if (capture) {
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw_system_error("cannot create a pipe", argv[0], errno);
    posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
    if (options.output == SubprocessOptions::Output::kCapture)
      posix_spawn_file_actions_adddup2(actions.get(), pipe_fds[1], 1);
    posix_spawn_file_actions_adddup2(actions.get(), pipe_fds[1], 2);
  }
  SpawnAttributes attributes;
  pid_t pid = 0;
  int spawned = argv[0].find('/') == std::string::npos
                    ? ::posix_spawnp(&pid, argv[0].c_str(), actions.get(), attributes.get(),
                                     arguments.data(), child_environment)
                    : ::posix_spawn(&pid, argv[0].c_str(), actions.get(), attributes.get(),
                                    arguments.data(), child_environment);
  if (capture) ::close(pipe_fds[1]);
  if (spawned != 0) {
    if (capture) ::close(pipe_fds[0]);
    throw_system_error("cannot run", argv[0], spawned);
  }

  SubprocessResult result;
  auto deadline = Clock::now() + options.timeout;
  bool killed = false;
  auto time_left_ms = [&]() -> int {
    if (options.timeout.count() == 0) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::max<int64_t>(0, left.count()));
  };
  auto kill_on_timeout = [&] {
    if (!killed && options.timeout.count() > 0 && Clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
  };
  if (capture) {
    char buffer[16384];
    while (true) {
      pollfd poll_fd{pipe_fds[0], POLLIN, 0};
      // After the kill, output still held open by a grandchild is not waited for.
      int ready = ::poll(&poll_fd, 1, killed ? 0 : time_left_ms());
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) {
        if (killed) break;
        kill_on_timeout();
        continue;
      }
      ssize_t got = ::read(pipe_fds[0], buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      result.output.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(pipe_fds[0]);
  }
  int status = 0;
  while (true) {
    pid_t done = ::waitpid(pid, &status, options.timeout.count() > 0 && !killed ? WNOHANG : 0);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw_system_error("cannot wait for", argv[0], errno);
    if (done == 0) {
      kill_on_timeout();
      if (!killed) ::usleep(10'000);
    }
  }
  result.timed_out = killed;
  if (WIFEXITED(status) && !killed) result.exit_code = WEXITSTATUS(status);
  return result;
}

}  // namespace da
