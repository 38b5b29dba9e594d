#include "da/cli/termination_signals.hpp"

#include <csignal>
#include <exception>
#include <thread>

#include <pthread.h>
#include <unistd.h>

namespace da::cli {

namespace {

sigset_t termination_set() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

sigset_t current_mask() {
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return mask;
}

}  // namespace

TerminationSignals::TerminationSignals() {
  sigset_t signals = termination_set();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int TerminationSignals::wait() {
  sigset_t signals = termination_set();
  int received = 0;
  sigwait(&signals, &received);
  return received;
}

OnTerminationSignal::OnTerminationSignal(std::function<void(int signal)> on_signal)
    : previous_mask_(current_mask()), watcher_([this, on_signal = std::move(on_signal)] {
        for (;;) {
          int signal = signals_.wait();
          if (ending_) return;
          on_signal(signal);
        }
      }) {}

OnTerminationSignal::~OnTerminationSignal() {
  ending_ = true;
  pthread_kill(watcher_.native_handle(), SIGTERM);  // wakes the watcher's wait(), to end
  watcher_.join();
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void run_until_signalled(const std::function<void(const std::atomic<bool>& stop)>& work) {
  TerminationSignals signals;
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      work(stop);
    } catch (...) {
      failure = std::current_exception();
      ::kill(::getpid(), SIGTERM);  // wakes wait() below
    }
  });
  signals.wait();
  stop = true;
  worker.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace da::cli
