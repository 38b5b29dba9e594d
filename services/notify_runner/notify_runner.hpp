// The notification runner (`da notify-runner`, root): runs every analyst's scripts in
// ~/user/notifications/ as that analyst, reads the JSON each prints (da/notify/script_result.hpp)
// and queues what they report in the outbox, for every channel the analyst linked. One
// server-side schedule replaces per-user crontabs; the bot and the desktop app ask for runs on
// demand through the state store.
//
// A script is a regular file owned by the analyst (links are never followed): an executable
// runs directly, a .py file without the executable bit with python3. Each run has a timeout,
// and nothing the script started outlives it (script_containment.hpp); a per-analyst lock
// keeps two runners from running the same analyst's scripts at once; the cooldown a script
// asks for is kept per script (on-demand runs ignore it). Different analysts' scripts run side
// by side on notifications.runner_workers threads; one analyst's run one after another.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "script_containment.hpp"

#include "da/config/instance_config.hpp"
#include "da/notify/notifications_settings.hpp"
#include "da/notify/script_store.hpp"

namespace da::services::notify_runner {

struct ScriptRun {
  std::string username;
  std::string script;
  // sent | quiet (notify false) | cooldown | no_channel | failed | busy (another runner)
  std::string status;
  std::optional<std::string> error;
  std::optional<int64_t> notification_id;
};

class NotifyRunner {
 public:
  // Makes this process the subreaper of the scripts and sets up their containment
  // (notifications.script_containment); Error(kConfig) when "cgroup" cannot work here.
  explicit NotifyRunner(config::InstanceConfig config);

  // Every analyst's scripts, once: analysts side by side, each one's scripts in name order.
  // Returned by analyst, then script.
  std::vector<ScriptRun> run_all();
  // One script now, for an on-demand request (no cooldown). Error(kNotFound) for an unknown
  // analyst or script.
  ScriptRun run_now(const std::string& username, const std::string& script);
  // Runs the on-demand requests waiting in the state store; returns how many.
  int run_requests();
  // Deletes notifications a week past their expiry and the images only they used; returns
  // how many images went.
  int purge_expired();
  // A pass over every analyst every `interval` and requests as they arrive, until `stop`;
  // then the scripts still running are ended with everything they started.
  void serve(std::chrono::seconds interval, const std::atomic<bool>& stop);

 private:
  std::vector<ScriptRun> run_analyst(const std::string& name, const std::atomic<bool>& stop);
  ScriptRun run_one(const std::string& username, const std::string& script,
                    const std::atomic<bool>& stop);
  void run_request(const notify::RunRequest& request, const std::string& username,
                   const std::atomic<bool>& stop);
  std::string username_of(int64_t user_id);

  config::InstanceConfig config_;
  notify::NotificationsSettings notifications_;
  ScriptContainment containment_;
  const std::atomic<bool> never_stop_{false};  // for the calls outside serve()
};

}  // namespace da::services::notify_runner
