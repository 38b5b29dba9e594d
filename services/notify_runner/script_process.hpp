// Running one analyst's script as that analyst: the child drops to the account's uid, gid and
// groups before it executes anything, starts in the home with a minimal environment and the
// default signal handling, in a session of its own. When the script ends, reaches its timeout
// or the runner stops, every process it started ends with it (script_containment.hpp).
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace da::services::notify_runner {

class ScriptContainment;

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::filesystem::path home;
};

struct ScriptOutput {
  int exit_code = -1;  // -1: killed or did not exit normally
  bool timed_out = false;
  bool stopped = false;  // the runner was stopping
  std::string out;       // stdout, at most 1 MB
  std::string err;       // stderr, at most 64 KB
};

// Runs `argv` as `account` for at most `timeout`, or until `stop` is set. Throws
// Error(kInternal) if it cannot be started and Error(kConfig) for account 0 (scripts never run
// as root).
ScriptOutput run_as(const Account& account, const std::vector<std::string>& argv,
                    std::chrono::seconds timeout, const std::atomic<bool>& stop,
                    const ScriptContainment& containment);

}  // namespace da::services::notify_runner
