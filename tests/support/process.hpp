// Runs a program (usually the real `da` binary) and captures what it prints.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace da::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 if it did not exit normally
  int signal = 0;      // the signal that ended it, if any
  long peak_rss_kb = 0;  // its largest resident set (getrusage's ru_maxrss)
  double seconds = 0;    // wall time from start to exit
  // CPU time (user + system) it used: unlike wall time, it does not grow when the machine is busy.
  double cpu_seconds = 0;
  std::string out;
  std::string err;
};

struct ProcessOptions {
  std::optional<std::filesystem::path> working_dir;
  std::map<std::string, std::string> env;  // added to (and overriding) the test's environment
  std::vector<std::string> unset_env;
  // RLIMIT_AS for the process (0: none), so that a runaway allocation fails fast instead of
  // taking the machine's memory.
  uint64_t address_space_limit = 0;
};

// Runs argv[0] (a path, or a bare name looked up on PATH).
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Runs the da binary under test with `args`.
ProcessResult run_da(const std::vector<std::string>& args, const ProcessOptions& options = {});

// Waits until process `pid` catches `signal` or blocks it to collect it with sigwait (its SigCgt or
// SigBlk mask in /proc/<pid>/status), so a test's signal exercises the process's handling rather
// than the default action of a process still starting up. False on timeout or when it is gone.
bool wait_until_handles(int pid, int signal, std::chrono::milliseconds timeout);

}  // namespace da::testing
