// The account helper: a small root service that does the portal's privileged work on analyst
// accounts, and nothing else. Protocol and guarantees: da/accounts/helper_client.hpp.
#pragma once

#include <atomic>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>
#include <sys/types.h>

#include "da/config/instance_config.hpp"

namespace da::services::account_helper {

class AccountHelper {
 public:
  // Answers root and `allowed_uids` (the portal's account).
  AccountHelper(config::InstanceConfig config, std::set<uid_t> allowed_uids);

  // One request from a caller already authenticated; never throws: failures become
  // {"ok":false,"kind":...,"error":...}.
  nlohmann::json handle(const nlohmann::json& request);

  // Listens on `socket` (replacing a stale socket file, never anything else; mode 0660, group
  // `socket_group`) and serves one connection at a time until `stop` is set.
  void serve(const std::filesystem::path& socket, gid_t socket_group,
             const std::atomic<bool>& stop);

 private:
  nlohmann::json provision(const std::string& username, const std::string& ssh_key);
  nlohmann::json sync_filters(const std::string& username);
  void answer(int client_fd);

  config::InstanceConfig config_;
  std::set<uid_t> allowed_uids_;
};

}  // namespace da::services::account_helper
