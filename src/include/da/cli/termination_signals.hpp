// How long-running commands (da serve and the services) stop: on SIGINT or SIGTERM, finishing
// what they are doing.
#pragma once

#include <atomic>
#include <functional>

namespace da::cli {

// Blocks SIGINT and SIGTERM in the calling thread and in every thread it starts afterwards, so
// that only wait() receives them. Create it before starting any thread.
class TerminationSignals {
 public:
  TerminationSignals();
  // Waits for SIGINT or SIGTERM and returns it.
  int wait();
};

// Runs `work` on its own thread until SIGINT or SIGTERM, then sets the flag `work` watches and
// waits for it to return. An exception from `work` ends the wait and is rethrown here.
void run_until_signalled(const std::function<void(const std::atomic<bool>& stop)>& work);

}  // namespace da::cli
