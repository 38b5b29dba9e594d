// The account helper: a small root service that does the portal's privileged work on analyst
// accounts, and nothing else. Protocol and guarantees: da/accounts/helper_client.hpp.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>
#include <sys/types.h>

#include "da/config/instance_config.hpp"
#include "da/net/unix_socket_server.hpp"

namespace da::services::account_helper {

class AccountHelper {
 public:
  // The deadline of a whole request (read, work, answer), from the moment the caller is
  // accepted: the portal's client gives up after 20 s too.
  static constexpr std::chrono::milliseconds kRequestDeadline{20'000};

  // Answers root and `allowed_uids` (the portal's account).
  AccountHelper(config::InstanceConfig config, std::set<uid_t> allowed_uids,
                std::chrono::milliseconds request_deadline = kRequestDeadline);

  // One request from a caller already authenticated; never throws: failures become
  // {"ok":false,"kind":...,"error":...}, a malformed request (a field missing or of the wrong
  // type, named in the error) of kind "request".
  nlohmann::json handle(const nlohmann::json& request);

  // Listens on `socket` (replacing a stale socket file, never anything else; mode 0660, group
  // `socket_group`) until `stop` is set. Callers are served side by side (a few at once, more
  // are refused as busy); a caller still connected at the request deadline is cut off.
  void serve(const std::filesystem::path& socket, gid_t socket_group,
             const std::atomic<bool>& stop);

 private:
  nlohmann::json provision(const std::string& username, const std::string& ssh_key);
  nlohmann::json sync_filters(const std::string& username);
  void answer(net::UnixConnection& client);

  config::InstanceConfig config_;
  std::set<uid_t> allowed_uids_;
  std::chrono::milliseconds request_deadline_;
};

}  // namespace da::services::account_helper
