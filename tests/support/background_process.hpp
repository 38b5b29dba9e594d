// A program that runs while a test runs (a server such as `da serve`): started in the
// background with its output in a log file, stopped and reaped when the object goes.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "support/process.hpp"
#include <sys/types.h>

namespace da::testing {

class BackgroundProcess {
 public:
  // Starts argv[0] (a path) with stdout and stderr appended to `log`. Throws std::runtime_error.
  BackgroundProcess(const std::vector<std::string>& argv, std::filesystem::path log,
                    const ProcessOptions& options = {});
  // SIGTERM, then SIGKILL after 5 s; reaps the process.
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // Waits until 127.0.0.1:port accepts connections; false if the process ended or `timeout`
  // passed first.
  bool wait_for_port(uint16_t port, std::chrono::milliseconds timeout) const;
  // What the process wrote so far, for failure messages.
  std::string log() const;

 private:
  // Reaps the process if it ended.
  bool running() const;

  pid_t pid_ = -1;
  mutable bool reaped_ = false;
  std::filesystem::path log_;
};

// A loopback TCP port that was free a moment ago.
uint16_t free_port();

}  // namespace da::testing
