#include "script_cgroup.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/common/error.hpp"
#include "da/common/log.hpp"

namespace da::services::notify_runner {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

std::string read_file(const fs::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

bool write_file(const fs::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return written;
}

}  // namespace

ScriptCgroup::ScriptCgroup(const fs::path& parent, const std::string& name) : path_(parent / name) {
  if (::mkdir(path_.c_str(), 0755) != 0)
    throw_system_error("cannot create the script's cgroup", path_.string(), errno);
  procs_fd_ = ::open((path_ / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  if (procs_fd_ < 0) {
    int error = errno;
    ::rmdir(path_.c_str());
    throw_system_error("cannot open", (path_ / "cgroup.procs").string(), error);
  }
}

ScriptCgroup::~ScriptCgroup() {
  ::close(procs_fd_);
  if (populated()) kill_all();
  // The last processes may still be leaving.
  for (int attempt = 0; attempt < 100 && ::rmdir(path_.c_str()) != 0 && errno == EBUSY; ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

bool ScriptCgroup::populated() const {
  return read_file(path_ / "cgroup.events").find("populated 1") != std::string::npos;
}

void ScriptCgroup::kill_all() {
  // cgroup.kill (Linux 5.14) ends everything at once, including processes forking right now;
  // before it, every listed process is killed until the list stays empty.
  bool killed_at_once = write_file(path_ / "cgroup.kill", "1");
  auto give_up = Clock::now() + std::chrono::seconds(10);
  while (populated()) {
    if (!killed_at_once) {
      std::istringstream pids(read_file(path_ / "cgroup.procs"));
      for (pid_t pid; pids >> pid;)
        ::kill(pid, SIGKILL);
    }
    if (Clock::now() > give_up) {
      log::error("processes in {} did not end within 10 s", path_.string());
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::optional<fs::path> own_cgroup() {
  std::ifstream mounts("/proc/self/mountinfo");
  std::string line, mount_root, mount_point;
  while (std::getline(mounts, line)) {
    // "id parent major:minor root mount-point options ... - type source options"
    if (line.find(" - cgroup2 ") == std::string::npos) continue;
    std::istringstream fields(line);
    std::string id, parent, device;
    fields >> id >> parent >> device >> mount_root >> mount_point;
  }
  if (mount_point.empty()) return std::nullopt;
  std::ifstream membership("/proc/self/cgroup");
  while (std::getline(membership, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    std::string path = line.substr(3);
    if (mount_root != "/" && path.rfind(mount_root, 0) == 0) path = path.substr(mount_root.size());
    return fs::path(mount_point) / fs::path(path).relative_path();
  }
  return std::nullopt;
}

bool cgroups_usable(const fs::path& parent, std::string& why) {
  try {
    ScriptCgroup probe(parent, "da-script-" + std::to_string(::getpid()) + "-probe");
    pid_t child = ::fork();
    if (child < 0) throw_system_error("cannot fork to try", parent.string(), errno);
    if (child == 0) ::_exit(::write(probe.join_fd(), "0", 1) == 1 ? 0 : 1);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      why = "a process cannot be moved into a cgroup under " + parent.string();
      return false;
    }
    return true;
  } catch (const Error& e) {
    why = e.what();
    return false;
  }
}

}  // namespace da::services::notify_runner
