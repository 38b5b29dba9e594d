#include "descendants.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/common/error.hpp"
#include "da/common/log.hpp"

namespace da::services::notify_runner {

namespace {

struct Process {
  pid_t pid = 0;
  pid_t parent = 0;
  char state = '?';
  unsigned long long started = 0;  // clock ticks after boot: tells a reused pid apart
  uid_t real_uid = 0;
  uid_t effective_uid = 0;
};

// /proc/<pid>/stat: "pid (name) state ppid ... starttime(22nd)"; the name may hold spaces and
// parentheses, so fields are counted from the last ')'.
std::optional<Process> read_stat(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(file, text)) return std::nullopt;
  auto name_end = text.rfind(')');
  if (name_end == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(name_end + 1));
  Process process;
  process.pid = pid;
  fields >> process.state >> process.parent;
  std::string skipped;
  for (int field = 5; field < 22; ++field)
    fields >> skipped;
  fields >> process.started;
  if (!fields) return std::nullopt;
  return process;
}

std::optional<Process> read_process(pid_t pid) {
  auto process = read_stat(pid);
  if (!process) return std::nullopt;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Uid:", 0) != 0) continue;
    std::istringstream ids(line.substr(4));
    if (!(ids >> process->real_uid >> process->effective_uid)) return std::nullopt;
    return process;
  }
  return std::nullopt;
}

std::vector<Process> all_processes() {
  std::vector<Process> processes;
  DIR* proc = ::opendir("/proc");
  if (!proc) throw_system_error("cannot list", "/proc", errno);
  while (dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    if (auto process = read_process(static_cast<pid_t>(pid))) processes.push_back(*process);
  }
  ::closedir(proc);
  return processes;
}

// The processes of `uid` whose chain of parents leads to `ancestor`.
std::vector<Process> descendants_of(pid_t ancestor, uid_t uid) {
  std::vector<Process> processes = all_processes();
  std::map<pid_t, pid_t> parent_of;
  for (const Process& process : processes)
    parent_of[process.pid] = process.parent;
  std::vector<Process> found;
  for (const Process& process : processes) {
    if (process.real_uid != uid && process.effective_uid != uid) continue;
    std::set<pid_t> seen;
    // up > 0 and the ancestor checked first: the runner may itself be PID 1 (a container).
    for (pid_t up = process.parent; up > 0 && seen.insert(up).second;) {
      if (up == ancestor) {
        found.push_back(process);
        break;
      }
      auto next = parent_of.find(up);
      if (next == parent_of.end()) break;
      up = next->second;
    }
  }
  return found;
}

// SIGKILL to `process` if that pid still names it. (System calls directly: glibc 2.36's
// <sys/pidfd.h> lacks extern "C".)
void kill_exactly(const Process& process) {
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, process.pid, 0));
  if (pidfd < 0) return;  // gone already
  auto now = read_stat(process.pid);
  if (now && now->started == process.started)
    ::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
  ::close(pidfd);
}

}  // namespace

void become_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    throw_system_error("cannot become the subreaper of the scripts' processes", "prctl", errno);
}

int end_descendants(uid_t uid) {
  const pid_t self = ::getpid();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::set<pid_t> alive;
  while (true) {
    std::vector<Process> left = descendants_of(self, uid);
    if (left.empty()) break;
    for (const Process& process : left) {
      if (process.state != 'Z') {
        alive.insert(process.pid);
        kill_exactly(process);
      }
      if (process.parent == self) ::waitpid(process.pid, nullptr, WNOHANG | __WALL);
    }
    if (std::chrono::steady_clock::now() > give_up) {
      log::error("{} process(es) of uid {} could not be ended within 10 s", left.size(), uid);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return static_cast<int>(alive.size());
}

}  // namespace da::services::notify_runner
