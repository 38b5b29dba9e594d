// The portal's side of the account helper (`da account-helper`, services/account_helper/):
// the one narrow way an unprivileged portal gets root work done on analyst accounts. The
// helper listens on a Unix socket, answers only root and the portal's account (it checks the
// caller's credentials from the kernel) and does exactly two things:
//
//   {"op":"provision","username":U,"ssh_key":K}
//       create or repair analyst U with key K. The helper accepts it only if the portal's
//       state store holds K as U's registered key and U is not disabled; data-private follows
//       U's portal role. Never anything else (no other groups, no other accounts).
//   {"op":"sync_filters","username":U}     (U = "" for every analyst)
//       rewrite ~/.sync_rsync_filter from the stored selections.
//
// One request per connection, one JSON line each way: {"ok":true,...} or
// {"ok":false,"error":"..."}.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "da/identity/account_provisioner.hpp"

namespace da::accounts {

class HelperClient {
 public:
  explicit HelperClient(std::filesystem::path socket,
                        std::chrono::milliseconds timeout = std::chrono::seconds(20))
      : socket_(std::move(socket)), timeout_(timeout) {}

  // Sends one request and returns the answer. Throws Error(kInternal) when the helper cannot
  // be reached or answers nonsense, and Error(<kind>) with the helper's message for
  // {"ok":false}.
  nlohmann::json call(const nlohmann::json& request) const;

  const std::filesystem::path& socket() const { return socket_; }

 private:
  std::filesystem::path socket_;
  std::chrono::milliseconds timeout_;
};

// identity::AccountProvisioner over the helper: what `da serve` hands the portal when
// accounts.helper_socket is configured.
class HelperProvisioner : public identity::AccountProvisioner {
 public:
  explicit HelperProvisioner(std::filesystem::path socket) : client_(std::move(socket)) {}
  identity::ProvisionResult provision(const identity::User& user,
                                      const std::string& ssh_public_key) override;
  void selection_changed(const std::string& username) override;

 private:
  HelperClient client_;
};

}  // namespace da::accounts
