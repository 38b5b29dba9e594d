// How the runner makes sure that nothing a script started outlives it (its timeout, its end,
// or the runner stopping), even processes that left its session or were orphaned on purpose:
//
//   cgroup     each run gets a cgroup v2 of its own (script_cgroup.hpp), ended with cgroup.kill.
//              Needs a writable cgroup tree: under systemd, Delegate=yes on the unit.
//   subreaper  the runner is the subreaper of its descendants and kills every process of the
//              analyst below it (descendants.hpp). Works everywhere.
//   auto       cgroup when it works here, otherwise subreaper (notifications.script_containment).
//
// The runner is the subreaper in every mode, so the orphans of a script are its children and
// are reaped, never left as zombies.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "script_cgroup.hpp"
#include <sys/types.h>

namespace da::services::notify_runner {

class ScriptContainment {
 public:
  // `mode` is "auto", "cgroup" or "subreaper". Throws Error(kConfig) for "cgroup" when this
  // machine cannot give scripts cgroups, saying why.
  explicit ScriptContainment(const std::string& mode);

  // A cgroup for one run, or null without cgroups.
  std::unique_ptr<ScriptCgroup> open_run() const;
  // Ends every process the run started (its own process must have been reaped already) and
  // removes its cgroup.
  void end_run(std::unique_ptr<ScriptCgroup> cgroup, uid_t uid) const;
  // "cgroup v2 under <path>" or "subreaper", for the log.
  std::string describe() const;

 private:
  std::optional<std::filesystem::path> cgroup_parent_;
  mutable std::atomic<unsigned> runs_{0};  // names the runs' cgroups
};

}  // namespace da::services::notify_runner
