// A program (usually the real `da`) running beside a test: its output goes to a file the test
// can read while it runs, and it is stopped (SIGTERM, then SIGKILL) when the object goes.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace da::testing {

struct BackgroundOptions {
  std::map<std::string, std::string> env;  // added to the test's environment
  std::optional<std::filesystem::path> working_dir;
  // RLIMIT_NOFILE of the child (soft and hard), when set.
  std::optional<int> max_open_files;
};

class BackgroundProcess {
 public:
  // Starts argv; stdout and stderr go to `log_file`.
  BackgroundProcess(const std::vector<std::string>& argv, std::filesystem::path log_file,
                    const BackgroundOptions& options = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  // What it printed so far.
  std::string output() const;
  // Whether it still runs (false once it exited; reaps it).
  bool running();
  // CPU time it used so far (user + system), from /proc.
  std::chrono::milliseconds cpu_time() const;
  // SIGTERM, then SIGKILL after `grace`; returns the exit status as waitpid gave it.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // Waits until 127.0.0.1:port accepts connections; false if the process ended or `timeout`
  // passed first.
  bool wait_for_port(uint16_t port, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_file_;
  std::optional<int> status_;
};

// Runs the da binary under test in the background.
std::vector<std::string> da_command(const std::vector<std::string>& args);

// A loopback TCP port that was free a moment ago.
uint16_t free_port();

}  // namespace da::testing
