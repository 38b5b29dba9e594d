// How long-running commands (da serve and the services) stop: on SIGINT or SIGTERM, finishing
// what they are doing.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

#include <signal.h>

namespace da::cli {

// Blocks SIGINT and SIGTERM in the calling thread and in every thread it starts afterwards, so
// that only wait() receives them. Create it before starting any thread.
class TerminationSignals {
 public:
  TerminationSignals();
  // Waits for SIGINT or SIGTERM and returns it.
  int wait();
};

// For as long as it lives, SIGINT and SIGTERM do not end the process: each calls `on_signal`
// with the signal, on a thread of its own. Blocks them like TerminationSignals (so create it
// before starting any thread) and restores the calling thread's signal mask when it ends.
class OnTerminationSignal {
 public:
  explicit OnTerminationSignal(std::function<void(int signal)> on_signal);
  ~OnTerminationSignal();
  OnTerminationSignal(const OnTerminationSignal&) = delete;
  OnTerminationSignal& operator=(const OnTerminationSignal&) = delete;

 private:
  sigset_t previous_mask_;
  TerminationSignals signals_;
  std::atomic<bool> ending_{false};
  std::thread watcher_;
};

// Runs `work` on its own thread until SIGINT or SIGTERM, then sets the flag `work` watches and
// waits for it to return. An exception from `work` ends the wait and is rethrown here.
void run_until_signalled(const std::function<void(const std::atomic<bool>& stop)>& work);

}  // namespace da::cli
