#include "da/cli/termination_signals.hpp"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <pthread.h>
#include <unistd.h>

namespace da::cli {
namespace {

bool blocked(int signal) {
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, signal) == 1;
}

TEST(OnTerminationSignal, CallsItsHandlerForEachSignalInsteadOfEndingTheProcess) {
  std::atomic<int> received{0};
  std::atomic<int> last{0};
  {
    OnTerminationSignal watch([&](int signal) {
      last = signal;
      ++received;
    });
    ::kill(::getpid(), SIGTERM);
    for (int i = 0; i < 500 && received < 1; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(last, SIGTERM);
    ::kill(::getpid(), SIGINT);
    for (int i = 0; i < 500 && received < 2; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(last, SIGINT);
  }
  EXPECT_EQ(received, 2);
}

TEST(OnTerminationSignal, RestoresTheSignalMaskItFoundWhenItEnds) {
  ASSERT_FALSE(blocked(SIGTERM));
  {
    OnTerminationSignal watch([](int) {});
    EXPECT_TRUE(blocked(SIGTERM));
    EXPECT_TRUE(blocked(SIGINT));
  }
  EXPECT_FALSE(blocked(SIGTERM));
  EXPECT_FALSE(blocked(SIGINT));
}

}  // namespace
}  // namespace da::cli
