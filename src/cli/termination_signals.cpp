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
