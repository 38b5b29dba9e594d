#include "da/cli/termination_signals.hpp"

#include <cerrno>
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

std::optional<int> TerminationSignals::wait_for(std::chrono::milliseconds timeout) {
  sigset_t signals = termination_set();
  timespec wait{static_cast<time_t>(timeout.count() / 1000),
                static_cast<long>(timeout.count() % 1000) * 1'000'000};
  for (;;) {
    int received = sigtimedwait(&signals, nullptr, &wait);
    if (received > 0) return received;
    if (errno != EINTR) return std::nullopt;  // EAGAIN: the time is up
  }
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
