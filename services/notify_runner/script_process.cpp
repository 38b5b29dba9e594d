#include "script_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>

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

}  // namespace

ScriptOutput run_as(const Account& account, const std::vector<std::string>& argv,
                    std::chrono::seconds timeout) {
  if (account.uid == 0) throw Error(ErrorKind::kConfig, "scripts never run as root");
  // Everything the child needs is prepared here: after fork() it may only make system calls.
  std::vector<gid_t> groups(256);
  int group_count = static_cast<int>(groups.size());
  if (::getgrouplist(account.name.c_str(), account.gid, groups.data(), &group_count) < 0)
    group_count = 0;
  std::vector<std::string> environment = {
      "HOME=" + account.home.string(), "USER=" + account.name, "LOGNAME=" + account.name,
      "SHELL=/bin/sh", "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
      "DA_WORKSPACE=" + account.home.string()};
  // Scripts call `da query` on their workspace; the runner's own binary is the one to use.
  std::error_code ignored;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ignored);
  if (!self.empty()) environment.push_back("DA_BIN=" + self.string());
  std::vector<char*> env_pointers;
  for (std::string& entry : environment)
    env_pointers.push_back(entry.data());
  env_pointers.push_back(nullptr);
  std::vector<std::string> arguments = argv;
  std::vector<char*> arg_pointers;
  for (std::string& argument : arguments)
    arg_pointers.push_back(argument.data());
  arg_pointers.push_back(nullptr);
  std::string home = account.home.string();

  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw_system_error("cannot create a pipe", argv[0], errno);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw_system_error("cannot create a pipe", argv[0], errno);
  }
  pid_t pid = ::fork();
  if (pid < 0) throw_system_error("cannot fork for", argv[0], errno);
  if (pid == 0) {
    // A session of its own: the script cannot join the runner's process group, and killing
    // the group at the timeout reaches everything it started there.
    ::setsid();
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out_pipe[1], 1) < 0 ||
        ::dup2(err_pipe[1], 2) < 0)
      ::_exit(126);
    if (::setgroups(static_cast<size_t>(group_count), groups.data()) != 0 ||
        ::setgid(account.gid) != 0 || ::setuid(account.uid) != 0 || ::setuid(0) == 0)
      ::_exit(126);
    if (::chdir(home.c_str()) != 0) ::_exit(126);
    ::execve(arg_pointers[0], arg_pointers.data(), env_pointers.data());
    static const char message[] = "cannot execute the script\n";
    (void)::write(2, message, sizeof message - 1);
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);

  ScriptOutput output;
  auto deadline = Clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_pipes = 2;
  char buffer[16384];
  while (open_pipes > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      ::kill(-pid, SIGKILL);
      output.timed_out = true;
      break;
    }
    int ready = ::poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_pipes;
        continue;
      }
      std::string& sink = i == 0 ? output.out : output.err;
      std::size_t limit = i == 0 ? kMaxOut : kMaxErr;
      if (sink.size() < limit)
        sink.append(buffer, std::min(static_cast<std::size_t>(got), limit - sink.size()));
    }
  }
  for (const pollfd& fd : fds)
    if (fd.fd >= 0) ::close(fd.fd);
  // A script that closed its output is still held to the deadline.
  int status = 0;
  while (true) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (Clock::now() >= deadline && !output.timed_out) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      output.timed_out = true;
    }
    ::usleep(10'000);
  }
  // Whatever the script left running in its session's group goes too.
  ::kill(-pid, SIGKILL);
  if (!output.timed_out && WIFEXITED(status)) output.exit_code = WEXITSTATUS(status);
  return output;
}

}  // namespace da::services::notify_runner
