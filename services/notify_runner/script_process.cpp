#include "script_process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

#include "script_containment.hpp"
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/common/error.hpp"

namespace da::services::notify_runner {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxOut = 1 << 20;
constexpr std::size_t kMaxErr = 64 << 10;
// How often the wait looks at the script's own process and at `stop`.
constexpr std::chrono::milliseconds kTick{50};
// How long output still open after everything was killed is drained.
constexpr std::chrono::seconds kDrain{2};

// Everything the child needs, prepared before fork(): after it, the child of a threaded
// process may only make system calls.
struct ChildSetup {
  std::vector<gid_t> groups;
  std::vector<std::string> environment;
  std::vector<std::string> arguments;
  std::vector<char*> env_pointers;
  std::vector<char*> arg_pointers;
  std::string home;
  uid_t uid = 0;
  gid_t gid = 0;
  int join_cgroup_fd = -1;
  int out_fd = -1;
  int err_fd = -1;
};

ChildSetup prepare(const Account& account, const std::vector<std::string>& argv) {
  ChildSetup setup;
  setup.groups.resize(256);
  int group_count = static_cast<int>(setup.groups.size());
  if (::getgrouplist(account.name.c_str(), account.gid, setup.groups.data(), &group_count) < 0)
    group_count = 0;
  setup.groups.resize(static_cast<std::size_t>(group_count));
  setup.environment = {"HOME=" + account.home.string(),
                       "USER=" + account.name,
                       "LOGNAME=" + account.name,
                       "SHELL=/bin/sh",
                       "PATH=/usr/local/bin:/usr/bin:/bin",
                       "LANG=C.UTF-8",
                       "DA_WORKSPACE=" + account.home.string()};
  // Scripts call `da query` on their workspace; the runner's own binary is the one to use.
  std::error_code ignored;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ignored);
  if (!self.empty()) setup.environment.push_back("DA_BIN=" + self.string());
  for (std::string& entry : setup.environment)
    setup.env_pointers.push_back(entry.data());
  setup.env_pointers.push_back(nullptr);
  setup.arguments = argv;
  for (std::string& argument : setup.arguments)
    setup.arg_pointers.push_back(argument.data());
  setup.arg_pointers.push_back(nullptr);
  setup.home = account.home.string();
  setup.uid = account.uid;
  setup.gid = account.gid;
  return setup;
}

[[noreturn]] void fail_in_child(const char* message, int code) {
  (void)::write(2, message, std::strlen(message));
  ::_exit(code);
}

[[noreturn]] void run_child(const ChildSetup& setup) {
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(setup.out_fd, 1) < 0 ||
      ::dup2(setup.err_fd, 2) < 0)
    ::_exit(126);
  // Into the run's cgroup first, while still root: nothing the script does can leave it.
  if (setup.join_cgroup_fd >= 0 && ::write(setup.join_cgroup_fd, "0", 1) != 1)
    fail_in_child("cannot join the script's cgroup\n", 126);
  // A session of its own: the script cannot join the runner's process group or terminal.
  ::setsid();
  // The runner's service blocks SIGTERM and SIGINT for itself and may ignore signals: the
  // script starts with none blocked and every disposition at its default.
  for (int number = 1; number < NSIG; ++number)
    if (number != SIGKILL && number != SIGSTOP) ::signal(number, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (::setgroups(setup.groups.size(), setup.groups.data()) != 0 || ::setgid(setup.gid) != 0 ||
      ::setuid(setup.uid) != 0 || ::setuid(0) == 0)
    ::_exit(126);
  if (::chdir(setup.home.c_str()) != 0) ::_exit(126);
  ::execve(setup.arg_pointers[0], setup.arg_pointers.data(), setup.env_pointers.data());
  fail_in_child("cannot execute the script\n", 127);
}

// The script's stdout and stderr, read as they come, up to their limits.
class OutputPipes {
 public:
  explicit OutputPipes(ScriptOutput& output) : output_(output) {}
  ~OutputPipes() {
    for (const pollfd& fd : fds_)
      if (fd.fd >= 0) ::close(fd.fd);
  }
  void open(int out_fd, int err_fd) {
    fds_[0] = {out_fd, POLLIN, 0};
    fds_[1] = {err_fd, POLLIN, 0};
  }
  bool closed() const { return fds_[0].fd < 0 && fds_[1].fd < 0; }

  // Reads what arrives within `wait`.
  void read_for(std::chrono::milliseconds wait) {
    int ready = ::poll(fds_, 2, static_cast<int>(std::max<int64_t>(0, wait.count())));
    if (ready <= 0) return;
    char buffer[16384];
    for (int i = 0; i < 2; ++i) {
      if (fds_[i].fd < 0 || !(fds_[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = ::read(fds_[i].fd, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        ::close(fds_[i].fd);
        fds_[i].fd = -1;
        continue;
      }
      std::string& sink = i == 0 ? output_.out : output_.err;
      std::size_t limit = i == 0 ? kMaxOut : kMaxErr;
      if (sink.size() < limit)
        sink.append(buffer, std::min(static_cast<std::size_t>(got), limit - sink.size()));
    }
  }

 private:
  ScriptOutput& output_;
  pollfd fds_[2] = {{-1, 0, 0}, {-1, 0, 0}};
};

}  // namespace

ScriptOutput run_as(const Account& account, const std::vector<std::string>& argv,
                    std::chrono::seconds timeout, const std::atomic<bool>& stop,
                    const ScriptContainment& containment) {
  if (account.uid == 0) throw Error(ErrorKind::kConfig, "scripts never run as root");
  ChildSetup setup = prepare(account, argv);
  std::unique_ptr<ScriptCgroup> cgroup = containment.open_run();
  if (cgroup) setup.join_cgroup_fd = cgroup->join_fd();

  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw_system_error("cannot create a pipe", argv[0], errno);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw_system_error("cannot create a pipe", argv[0], errno);
  }
  ScriptOutput output;
  OutputPipes pipes(output);
  pipes.open(out_pipe[0], err_pipe[0]);
  setup.out_fd = out_pipe[1];
  setup.err_fd = err_pipe[1];
  pid_t pid = ::fork();
  if (pid == 0) run_child(setup);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (pid < 0) throw_system_error("cannot fork for", argv[0], errno);

  // Until the script's own process ends, the deadline passes or the runner stops.
  auto deadline = Clock::now() + timeout;
  int status = 0;
  bool ended = false;
  while (!ended) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      ended = true;
    } else if (stop.load()) {
      output.stopped = true;
      break;
    } else if (Clock::now() >= deadline) {
      output.timed_out = true;
      break;
    } else {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      auto wait = std::min(left, kTick);
      if (pipes.closed())
        ::poll(nullptr, 0, static_cast<int>(wait.count()));
      else
        pipes.read_for(wait);
    }
  }
  if (!ended) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  // Whatever it started goes too, wherever it went; then what they wrote is read to the end.
  containment.end_run(std::move(cgroup), account.uid);
  auto drain_until = Clock::now() + kDrain;
  while (!pipes.closed() && Clock::now() < drain_until)
    pipes.read_for(
        std::chrono::duration_cast<std::chrono::milliseconds>(drain_until - Clock::now()));
  if (ended && WIFEXITED(status)) output.exit_code = WEXITSTATUS(status);
  return output;
}

}  // namespace da::services::notify_runner
