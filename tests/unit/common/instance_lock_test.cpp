#include "da/common/instance_lock.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/common/error.hpp"

namespace da {
namespace {

using testing::TempDir;

// Runs `body` in a child process and returns its exit code.
template <typename Body>
int in_child(Body body) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(InstanceLock, SecondHolderFailsAtOnceNamingTheFirstPid) {
  TempDir dir;
  auto lock_file = dir / "sync.lock";
  InstanceLock held = InstanceLock::acquire(lock_file, "sync");
  int code = in_child([&] {
    try {
      InstanceLock::acquire(lock_file, "sync");
      return 1;
    } catch (const Error& e) {
      std::string expected = "another sync is running (pid " + std::to_string(::getppid()) + ")";
      bool ok = e.kind() == ErrorKind::kConflict &&
                std::string(e.what()).find(expected) != std::string::npos;
      return ok ? 0 : 2;
    }
  });
  EXPECT_EQ(code, 0);
}

TEST(InstanceLock, IsFreeAgainAfterRelease) {
  TempDir dir;
  auto lock_file = dir / "sync.lock";
  { InstanceLock held = InstanceLock::acquire(lock_file, "sync"); }
  int code = in_child([&] {
    try {
      InstanceLock::acquire(lock_file, "sync");
      return 0;
    } catch (const Error&) {
      return 1;
    }
  });
  EXPECT_EQ(code, 0);
}

TEST(InstanceLock, IsFreeAfterTheHolderIsKilled) {
  TempDir dir;
  auto lock_file = dir / "sync.lock";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t holder = ::fork();
  if (holder == 0) {
    InstanceLock held = InstanceLock::acquire(lock_file, "sync");
    char byte = 1;
    [[maybe_unused]] auto n = ::write(ready[1], &byte, 1);
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  EXPECT_THROW(InstanceLock::acquire(lock_file, "sync"), Error);
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
  EXPECT_NO_THROW(InstanceLock::acquire(lock_file, "sync"));
}

}  // namespace
}  // namespace da
