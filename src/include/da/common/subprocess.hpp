// Running another program (useradd, rsync, ssh) without a shell: the arguments go to the
// program as they are, so no value can be read as shell syntax.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace da {

struct SubprocessOptions {
  // kCapture: stdout and stderr are collected into SubprocessResult::output (stdin is
  // /dev/null). kInherit: the child writes to this process's terminal. kCaptureErrors: stdout
  // goes to the terminal (rsync's progress), stderr is collected.
  enum class Output { kCapture, kInherit, kCaptureErrors };
  Output output = Output::kCapture;
  // Replaces the environment when non-empty (commands run as root get a known PATH).
  std::map<std::string, std::string> environment;
  // The child is killed (SIGKILL) after this long; zero waits forever.
  std::chrono::milliseconds timeout{0};
};

struct SubprocessResult {
  int exit_code = -1;  // -1 when it did not exit normally (a signal, or the timeout)
  bool timed_out = false;
  std::string output;  // stdout and stderr interleaved, when captured

  bool ok() const { return exit_code == 0; }
  // The last line of output, trimmed: what a failed command said, for an error message.
  std::string last_line() const;
};

// Runs argv[0] (an absolute path, or a name looked up on PATH) with argv[1..]. Throws
// Error(kInternal) only when the program cannot be started at all; a program that fails
// returns its exit code.
SubprocessResult run_subprocess(const std::vector<std::string>& argv,
                                const SubprocessOptions& options = {});

}  // namespace da
