// Analyst accounts on the broker (original-web-spec §4.4, fixed): a Linux user in the
// dataread group (and data-private for privileged analysts), its SSH key, and a home laid out
// for `da pull --via ssh`:
//
//   ~/.ssh/authorized_keys     the analyst's one key                       user, 0600
//   ~/server/                  read-only for the analyst                   root:user, 0750
//     docs -> <docs_dir>, parquet -> <data_dir>/parquet                    links owned by root
//   ~/user/{duckdb,notifications,artifacts,scripts,parquet,sessions}       user, 0750
//   ~/.sync_rsync_filter       the tables the analyst receives             root:user, 0640
//
// Every operation is idempotent (running it again repairs what differs and never duplicates)
// and never follows a symbolic link inside a home (see home_directory.hpp). Needs root.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "da/config/instance_config.hpp"

namespace da::accounts {

struct AccountSettings {
  std::filesystem::path home_root = "/home";
  std::string shell = "/bin/bash";
  std::filesystem::path data_dir;  // <data_dir>/parquet is linked as ~/server/parquet
  std::filesystem::path docs_dir;  // linked as ~/server/docs
};

// The settings of an instance (accounts.home_root, accounts.shell, its data and docs).
AccountSettings account_settings(const config::InstanceConfig& config);

// What to do with membership of data-private (parquet/private/).
enum class PrivateAccess { kUnchanged, kGrant, kRevoke };

struct AnalystAccount {
  std::string username;
  std::filesystem::path home;
  bool privileged = false;  // in data-private
  bool operations = false;  // in data-ops (administrators)
  bool has_key = false;     // ~/.ssh/authorized_keys exists
  bool created = false;     // add_*: the Linux user was created by this call
};

class AnalystAccounts {
 public:
  explicit AnalystAccounts(AccountSettings settings) : settings_(std::move(settings)) {}

  // Creates the account of `username` with `ssh_public_key` as its only key, or repairs an
  // existing analyst account (groups, key, home layout). Throws Error(kConfig) for a name that
  // cannot be an analyst's (reserved, invalid), Error(kData) for an invalid key, and
  // Error(kConflict) when the name belongs to an account that is not an analyst's (root, a
  // service account): those are never touched.
  AnalystAccount add_analyst(const std::string& username, const std::string& ssh_public_key,
                             PrivateAccess access);
  // An analyst account that is also in data-private and data-ops.
  AnalystAccount add_admin(const std::string& username, const std::string& ssh_public_key);
  // Ends the analyst's processes (open SSH sessions included), deletes the Linux user and its
  // home (links inside are removed, never followed). Error(kNotFound) for an unknown user,
  // Error(kConflict) for an account that is not an analyst's.
  void remove_analyst(const std::string& username);
  // Every member of dataread, by name.
  std::vector<AnalystAccount> list() const;
  // Replaces ~/.sync_rsync_filter of an existing analyst.
  void write_sync_filter(const std::string& username, const std::string& filter);
  // The groups exist and parquet/private/, where there is one, is closed to everyone outside
  // data-private.
  void prepare_shared_data();

 private:
  AccountSettings settings_;
};

// The analyst account of `username` as it is now; nullopt if there is no such analyst.
std::optional<AnalystAccount> find_analyst(const std::string& username);

}  // namespace da::accounts
