// The broker's Linux user database: reading it (getpwnam, getgrnam) and changing it through
// the system's own tools (useradd, usermod, userdel), run without a shell and with a
// fixed PATH. Changing it needs root.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <sys/types.h>

#include "da/catalog/table_config.hpp"

namespace da::accounts {

// Every analyst is in kReadGroup (public data); kPrivateGroup may read parquet/private/;
// kOpsGroup operates the broker (admins).
inline constexpr const char* kReadGroup = "dataread";
inline constexpr const char* kPrivateGroup = catalog::kPrivateGroup;
inline constexpr const char* kOpsGroup = "data-ops";

struct SystemUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::filesystem::path home;
  std::set<std::string> groups;  // every group, the primary one included

  bool in_group(const std::string& group) const { return groups.count(group) > 0; }
};

std::optional<SystemUser> find_system_user(const std::string& name);
std::optional<gid_t> find_group(const std::string& group);
// The group's supplementary members, sorted.
std::vector<std::string> group_members(const std::string& group);

// Each throws Error(kInternal) with the tool's own message when it fails.
void ensure_group(const std::string& group);
// A new user with its own primary group, `home` (not created here) and `shell`. The password
// field is "*": no password can be used, yet the account is not locked, so that sshd accepts
// its keys even without PAM.
void create_user(const std::string& name, const std::filesystem::path& home,
                 const std::string& shell);
void set_group_member(const std::string& user, const std::string& group, bool member);
// Expires the account: no login (SSH keys included) is accepted from then on.
void expire_user(const std::string& name);
// Removes the user and its primary group. Its home is left to the caller.
void delete_user(const std::string& name);

}  // namespace da::accounts
