// A cgroup v2 of its own for each script run, where the kernel makes that possible: every
// process the script starts is in it whatever it does (a new session, a double fork), cannot
// leave it (the cgroup is root's), and is ended at once with it (cgroup.kill).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace da::services::notify_runner {

class ScriptCgroup {
 public:
  // Creates `parent`/`name`. Throws Error(kInternal) if it cannot.
  ScriptCgroup(const std::filesystem::path& parent, const std::string& name);
  // Ends what is left in it and removes it.
  ~ScriptCgroup();
  ScriptCgroup(const ScriptCgroup&) = delete;
  ScriptCgroup& operator=(const ScriptCgroup&) = delete;

  // cgroup.procs, open for writing: a forked child writes "0" to it to move itself in before
  // it executes anything.
  int join_fd() const { return procs_fd_; }
  // Kills every process in it and waits (up to 10 s) until it is empty.
  void kill_all();

 private:
  bool populated() const;

  std::filesystem::path path_;
  int procs_fd_ = -1;
};

// The cgroup v2 folder this process is in, when the unified hierarchy is mounted.
std::optional<std::filesystem::path> own_cgroup();

// Whether scripts can get cgroups under `parent`: a child cgroup is created there and a
// short-lived process moved into it. On failure `why` says what failed.
bool cgroups_usable(const std::filesystem::path& parent, std::string& why);

}  // namespace da::services::notify_runner
