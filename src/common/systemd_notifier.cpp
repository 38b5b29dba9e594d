#include "da/common/systemd_notifier.hpp"

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include <systemd/sd-daemon.h>

#include "da/common/log.hpp"

namespace da {

namespace {

// sd_notify with `state`. A failure is logged once and never thrown: the service keeps
// working, and systemd itself reports a READY=1 or a ping that did not arrive.
void notify(const std::string& state) {
  int result = ::sd_notify(0, state.c_str());
  if (result < 0) {
    static std::once_flag warned;
    std::call_once(warned, [&] {
      log::warn("cannot notify systemd on NOTIFY_SOCKET ({}): {}",
                state.substr(0, state.find('\n')), std::strerror(-result));
    });
  }
}

// A STATUS= line: one line, whatever the text holds.
std::string status_line(std::string_view text) {
  std::string line = "STATUS=";
  for (char c : text)
    line += (c == '\n' || c == '\r') ? ' ' : c;
  return line;
}

}  // namespace

struct SystemdNotifier::Impl {
  bool active = false;
  std::chrono::microseconds interval{0};
  std::mutex mutex;
  std::condition_variable_any wake;
  std::jthread watchdog;
};

SystemdNotifier::SystemdNotifier() : impl_(std::make_unique<Impl>()) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  impl_->active = socket != nullptr && *socket != '\0';
  uint64_t usec = 0;
  if (impl_->active && ::sd_watchdog_enabled(0, &usec) > 0)
    impl_->interval = std::chrono::microseconds(usec / 2);
}

// The jthread asks the watchdog to stop and joins it.
SystemdNotifier::~SystemdNotifier() = default;

bool SystemdNotifier::active() const {
  return impl_->active;
}

std::chrono::microseconds SystemdNotifier::watchdog_interval() const {
  return impl_->interval;
}

void SystemdNotifier::ready(std::string_view status) {
  if (impl_->active) notify("READY=1\n" + status_line(status));
}

void SystemdNotifier::status(std::string_view status) {
  if (impl_->active) notify(status_line(status));
}

void SystemdNotifier::start_watchdog(Post post) {
  if (impl_->interval.count() == 0 || impl_->watchdog.joinable()) return;
  impl_->watchdog = std::jthread([this, post = std::move(post)](std::stop_token stop) {
    std::unique_lock lock(impl_->mutex);
    for (;;) {
      impl_->wake.wait_for(lock, stop, impl_->interval, [] { return false; });
      if (stop.stop_requested()) return;
      post([] { notify("WATCHDOG=1"); });
    }
  });
}

void SystemdNotifier::stopping(std::string_view status) {
  if (impl_->watchdog.joinable()) {
    impl_->watchdog.request_stop();
    impl_->watchdog.join();
  }
  if (impl_->active) notify("STOPPING=1\n" + status_line(status));
}

}  // namespace da
