// Creating an analyst's account on the broker server (Linux user, authorized_keys, home
// layout) belongs to the distribution component; the portal calls it through this interface
// after it has validated and stored the analyst's SSH key.
#pragma once

#include <string>

#include "da/identity/user.hpp"

namespace da::identity {

struct ProvisionResult {
  bool ready = false;   // the account can be used now
  std::string message;  // for the analyst: what happened or what happens next
};

class AccountProvisioner {
 public:
  virtual ~AccountProvisioner() = default;
  // Creates or updates `user`'s server account with `ssh_public_key` (already normalised).
  // Must be idempotent. Throws da::Error with a message for the analyst on failure.
  virtual ProvisionResult provision(const User& user, const std::string& ssh_public_key) = 0;
  // What `username` receives may have changed (their dataset or table selection; "" when the
  // table registry changed, for everyone): refresh what the server keeps for it (the rsync
  // filters). Throws da::Error when it could not: the filters decide access.
  virtual void selection_changed(const std::string& username) { (void)username; }
};

}  // namespace da::identity
