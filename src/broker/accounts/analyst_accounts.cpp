#include "da/accounts/analyst_accounts.hpp"

#include <cerrno>
#include <csignal>
#include <fstream>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "da/accounts/home_directory.hpp"
#include "da/accounts/system_users.hpp"
#include "da/catalog/table_config.hpp"
#include "da/common/error.hpp"
#include "da/common/file_stamp.hpp"
#include "da/common/log.hpp"
#include "da/identity/ssh_key.hpp"
#include "da/identity/username.hpp"
#include "da/published/private_folder.hpp"
#include "da/published/table_location.hpp"

namespace da::accounts {

namespace fs = std::filesystem;

namespace {

constexpr const char* kUserFolders[] = {"duckdb",  "notifications", "artifacts",
                                        "scripts", "parquet",       "sessions"};

void require_valid_name(const std::string& username) {
  if (auto problem = identity::username_problem(username))
    throw Error(ErrorKind::kConfig, "'" + username + "' cannot be an analyst account: " + *problem);
}

// The analyst of `username`, or an error that says why the name may not be touched.
SystemUser require_analyst(const std::string& username) {
  auto user = find_system_user(username);
  if (!user) throw Error(ErrorKind::kNotFound, "there is no account '" + username + "'");
  if (!user->in_group(kReadGroup))
    throw Error(ErrorKind::kConflict, "'" + username + "' is not an analyst account (not in " +
                                          kReadGroup + "): it is left untouched");
  return *user;
}

// Sends SIGKILL to every process whose real or effective user is `uid`, until none is left
// (a process may fork while the first pass runs).
void end_processes_of(uid_t uid) {
  for (int pass = 0; pass < 5; ++pass) {
    int found = 0;
    for (const auto& entry : fs::directory_iterator("/proc")) {
      std::string pid = entry.path().filename().string();
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream status(entry.path() / "status");
      std::string line;
      while (std::getline(status, line)) {
        if (line.rfind("Uid:", 0) != 0) continue;
        unsigned real = 0, effective = 0;
        if (std::sscanf(line.c_str(), "Uid: %u %u", &real, &effective) == 2 &&
            (real == uid || effective == uid)) {
          ::kill(static_cast<pid_t>(std::stol(pid)), SIGKILL);
          ++found;
        }
        break;
      }
    }
    if (found == 0) return;
    ::usleep(50'000);
  }
}

AnalystAccount describe(const SystemUser& user) {
  AnalystAccount account;
  account.username = user.name;
  account.home = user.home;
  account.privileged = user.in_group(kPrivateGroup);
  account.operations = user.in_group(kOpsGroup);
  account.has_key = regular_file_stamp(user.home / ".ssh" / "authorized_keys").has_value();
  return account;
}

// Serialises changes to accounts between processes (the account helper, `da admin`): one
// account is created and laid out by one process at a time.
class AccountsLock {
 public:
  // /run/da is writable by root and by the account helper's unit (RuntimeDirectory=da).
  AccountsLock() {
    const char* dir = "/run/da";
    if (::mkdir(dir, 0755) != 0 && errno != EEXIST)
      throw_system_error("cannot create", dir, errno);
    fd_ = ::open("/run/da/accounts.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0)
      throw_system_error("cannot lock", "/run/da/accounts.lock", errno);
  }
  ~AccountsLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  AccountsLock(const AccountsLock&) = delete;
  AccountsLock& operator=(const AccountsLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

AccountSettings account_settings(const config::InstanceConfig& config) {
  AccountSettings settings;
  settings.home_root = config.accounts.home_root;
  settings.shell = config.accounts.shell;
  settings.data_dir = config.paths.data_dir;
  settings.docs_dir = config.paths.docs_dir;
  return settings;
}

std::optional<AnalystAccount> find_analyst(const std::string& username) {
  auto user = find_system_user(username);
  if (!user || !user->in_group(kReadGroup)) return std::nullopt;
  return describe(*user);
}

void AnalystAccounts::prepare_shared_data() {
  for (const char* group : {kReadGroup, kPrivateGroup, kOpsGroup})
    ensure_group(group);
  // The sync creates parquet/private/ (closed) with its first private table.
  if (fs::exists(published::private_folder(settings_.data_dir)))
    published::secure_private_folder(settings_.data_dir);
}

AnalystAccount AnalystAccounts::add_analyst(const std::string& username,
                                            const std::string& ssh_public_key,
                                            PrivateAccess access) {
  require_valid_name(username);
  std::string key = identity::normalize_ssh_public_key(ssh_public_key);
  AccountsLock lock;
  prepare_shared_data();
  bool created = false;
  auto user = find_system_user(username);
  if (user && !user->in_group(kReadGroup))
    throw Error(ErrorKind::kConflict, "'" + username +
                                          "' is already in use by a system account that is not "
                                          "an analyst's: choose another name");
  if (!user) {
    fs::path home = settings_.home_root / username;
    create_user(username, home, settings_.shell);
    created = true;
  }
  set_group_member(username, kReadGroup, true);
  if (access != PrivateAccess::kUnchanged)
    set_group_member(username, kPrivateGroup, access == PrivateAccess::kGrant);
  user = find_system_user(username);
  if (!user) throw Error(ErrorKind::kInternal, "the account '" + username + "' vanished");

  if (::mkdir(user->home.c_str(), 0700) != 0 && errno != EEXIST)
    throw_system_error("cannot create home", user->home.string(), errno);
  HomeDirectory home(user->home);
  const uid_t uid = user->uid;
  const gid_t gid = user->gid;
  home.set_attributes(0750, uid, gid);
  home.ensure_directory(".ssh", 0700, uid, gid);
  home.write_file(".ssh/authorized_keys", key + "\n", 0600, uid, gid);
  home.ensure_directory("server", 0750, 0, gid);
  home.ensure_symlink("server/docs", settings_.docs_dir, 0, gid);
  home.ensure_symlink("server/parquet", published::parquet_root(settings_.data_dir), 0, gid);
  home.ensure_directory("user", 0750, uid, gid);
  for (const char* folder : kUserFolders)
    home.ensure_directory(std::string("user/") + folder, 0750, uid, gid);
  log::info("analyst account {} {} (home {})", username, created ? "created" : "repaired",
            user->home.string());
  AnalystAccount account = describe(*user);
  account.created = created;
  return account;
}

AnalystAccount AnalystAccounts::add_admin(const std::string& username,
                                          const std::string& ssh_public_key) {
  add_analyst(username, ssh_public_key, PrivateAccess::kGrant);
  AccountsLock lock;
  set_group_member(username, kOpsGroup, true);
  auto user = find_system_user(username);
  if (!user) throw Error(ErrorKind::kInternal, "the account '" + username + "' vanished");
  return describe(*user);
}

void AnalystAccounts::remove_analyst(const std::string& username) {
  AccountsLock lock;
  SystemUser user = require_analyst(username);
  if (user.uid == 0) throw Error(ErrorKind::kConflict, "refusing to remove a root account");
  // Expired first, so that no new login starts; the home goes before the user, so that a
  // failure leaves an account an administrator can remove again, not files of a lost uid.
  expire_user(username);
  end_processes_of(user.uid);
  remove_home(user.home);
  delete_user(username);
  end_processes_of(user.uid);
  log::info("analyst account {} removed with its home {}", username, user.home.string());
}

std::vector<AnalystAccount> AnalystAccounts::list() const {
  std::vector<AnalystAccount> accounts;
  for (const std::string& name : group_members(kReadGroup)) {
    if (auto user = find_system_user(name)) accounts.push_back(describe(*user));
  }
  return accounts;
}

void AnalystAccounts::write_sync_filter(const std::string& username, const std::string& filter) {
  SystemUser user = require_analyst(username);
  HomeDirectory(user.home).write_file(".sync_rsync_filter", filter, 0640, 0, user.gid);
}

}  // namespace da::accounts
