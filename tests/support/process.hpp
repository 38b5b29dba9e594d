// Runs a program (usually the real `da` binary) and captures what it prints.
#pragma once

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

}  // namespace da::testing
