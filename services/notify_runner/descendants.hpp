// The processes a script left behind, found without cgroups: the runner is the child
// subreaper of everything it starts (prctl PR_SET_CHILD_SUBREAPER), so a process that calls
// setsid() or double-forks still descends from the runner once its parent is gone; it only
// loses its process group. One analyst's scripts never run twice at once in a runner, so the
// analyst's uid tells that script's processes from other analysts'.
#pragma once

#include <sys/types.h>

namespace da::services::notify_runner {

// Makes this process the subreaper of its descendants. Throws Error(kInternal) if it cannot.
void become_subreaper();

// Ends every process of `uid` (real or effective) that descends from this process: SIGKILL,
// again and again since they may fork meanwhile, and reaps those that became this process's
// children, until none is left (at most 10 s; what survives that is logged). A process is
// signalled through a pidfd opened after it was found and checked to be the same one, so a
// reused pid is never hit. Returns how many were still alive (not just waiting to be reaped).
int end_descendants(uid_t uid);

}  // namespace da::services::notify_runner
