// Running one analyst's script as that analyst: the child drops to the account's uid, gid and
// groups before it executes anything, starts in the home, gets a minimal environment, and is
// killed with its whole process group at the timeout.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace da::services::notify_runner {

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::filesystem::path home;
};

struct ScriptOutput {
  int exit_code = -1;  // -1: killed or did not exit normally
  bool timed_out = false;
  std::string out;     // stdout, at most 1 MB
  std::string err;     // stderr, at most 64 KB
};

// Runs `argv` as `account`. Throws Error(kInternal) if it cannot be started and
// Error(kConfig) for account 0 (scripts never run as root).
ScriptOutput run_as(const Account& account, const std::vector<std::string>& argv,
                    std::chrono::seconds timeout);

}  // namespace da::services::notify_runner
