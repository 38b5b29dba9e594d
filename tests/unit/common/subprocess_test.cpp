// Running programs without a shell: arguments pass through untouched, output is captured,
// failures come back as exit codes and a hung program is killed at its timeout.
#include <gtest/gtest.h>

#include <csignal>

#include <chrono>

#include "da/common/error.hpp"
#include "da/common/subprocess.hpp"

namespace da {
namespace {

TEST(Subprocess, ArgumentsAreNeverShellSyntax) {
  SubprocessResult result = run_subprocess({"printf", "%s|", "a b", "$(id)", "; rm -rf /"});
  ASSERT_TRUE(result.ok()) << result.output;
  EXPECT_EQ(result.output, "a b|$(id)|; rm -rf /|");
}

TEST(Subprocess, FailuresReturnTheExitCodeAndTheLastLine) {
  SubprocessResult result =
      run_subprocess({"sh", "-c", "echo first; echo 'the reason' >&2; exit 7"});
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.last_line(), "the reason");
}

TEST(Subprocess, TheEnvironmentCanBeReplaced) {
  SubprocessOptions options;
  options.environment = {{"PATH", "/usr/bin:/bin"}, {"ONLY", "this"}};
  SubprocessResult result = run_subprocess({"/usr/bin/env"}, options);
  EXPECT_EQ(result.output, "ONLY=this\nPATH=/usr/bin:/bin\n");
}

TEST(Subprocess, AHungProgramIsKilledAtItsTimeout) {
  SubprocessOptions options;
  options.timeout = std::chrono::milliseconds(200);
  auto started = std::chrono::steady_clock::now();
  SubprocessResult result = run_subprocess({"sleep", "30"}, options);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(Subprocess, OnlyErrorsAreCapturedWhenAsked) {
  SubprocessOptions options;
  options.output = SubprocessOptions::Output::kCaptureErrors;
  SubprocessResult result =
      run_subprocess({"sh", "-c", "echo to-the-terminal >/dev/null; echo problem >&2"}, options);
  EXPECT_EQ(result.output, "problem\n");
}

TEST(Subprocess, ChildrenStartWithNoSignalBlockedOrIgnored) {
  // As a service does: SIGTERM blocked to be waited for, SIGPIPE ignored.
  sigset_t blocked, previous;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  pthread_sigmask(SIG_BLOCK, &blocked, &previous);
  auto old_pipe = std::signal(SIGPIPE, SIG_IGN);
  auto result = run_subprocess({"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"});
  std::signal(SIGPIPE, old_pipe);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  ASSERT_TRUE(result.ok()) << result.output;
  // The masks in hex, signal n at bit n-1; glibc reserves 32 and 33 for itself, so only the
  // standard signals (1-31, bits 0-30) are ours to check.
  auto standard_signals = [&](const std::string& name) {
    auto at = result.output.find(name + ":\t");
    EXPECT_NE(at, std::string::npos) << result.output;
    return std::stoull(result.output.substr(at + name.size() + 2, 16), nullptr, 16) & 0x7fffffffu;
  };
  EXPECT_EQ(standard_signals("SigBlk"), 0u) << result.output;
  EXPECT_EQ(standard_signals("SigIgn"), 0u) << result.output;
}

TEST(Subprocess, AProgramThatCannotStartThrows) {
  EXPECT_THROW(run_subprocess({"/nonexistent/program"}), Error);
  EXPECT_THROW(run_subprocess({}), Error);
}

}  // namespace
}  // namespace da
