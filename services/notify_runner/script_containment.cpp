#include "script_containment.hpp"

#include "descendants.hpp"
#include <unistd.h>

#include "da/common/error.hpp"
#include "da/common/log.hpp"

namespace da::services::notify_runner {

ScriptContainment::ScriptContainment(const std::string& mode) {
  become_subreaper();
  if (mode == "subreaper") return;
  std::string why = "the unified (v2) cgroup hierarchy is not mounted";
  auto parent = own_cgroup();
  if (parent && cgroups_usable(*parent, why)) {
    cgroup_parent_ = parent;
    return;
  }
  if (mode == "cgroup")
    throw Error(ErrorKind::kConfig,
                "notifications.script_containment is cgroup, but " + why +
                    ": give the service Delegate=yes (systemd), or use auto or subreaper");
  log::info("notification scripts are contained without cgroups ({})", why);
}

std::unique_ptr<ScriptCgroup> ScriptContainment::open_run() const {
  if (!cgroup_parent_) return nullptr;
  return std::make_unique<ScriptCgroup>(
      *cgroup_parent_, "da-script-" + std::to_string(::getpid()) + "-" + std::to_string(++runs_));
}

void ScriptContainment::end_run(std::unique_ptr<ScriptCgroup> cgroup, uid_t uid) const {
  if (cgroup) cgroup->kill_all();
  // With a cgroup this only reaps what was killed; a live process here left the cgroup.
  int alive = end_descendants(uid);
  if (cgroup && alive > 0)
    log::warn("{} process(es) of uid {} outside its script's cgroup were killed", alive, uid);
}

std::string ScriptContainment::describe() const {
  return cgroup_parent_ ? "cgroup v2 under " + cgroup_parent_->string() : "subreaper";
}

}  // namespace da::services::notify_runner
