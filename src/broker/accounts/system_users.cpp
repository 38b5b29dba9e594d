#include "da/accounts/system_users.hpp"

#include <algorithm>
#include <chrono>

#include <grp.h>
#include <pwd.h>

#include "da/common/error.hpp"
#include "da/common/subprocess.hpp"

namespace da::accounts {

namespace {

void run_tool(const std::vector<std::string>& argv) {
  SubprocessOptions options;
  options.environment = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}, {"LC_ALL", "C"}};
  options.timeout = std::chrono::seconds(60);
  SubprocessResult result = run_subprocess(argv, options);
  if (!result.ok()) {
    std::string command;
    for (const std::string& argument : argv)
      command += (command.empty() ? "" : " ") + argument;
    throw Error(ErrorKind::kInternal,
                command + " failed" +
                    (result.timed_out ? " (timed out)"
                                      : " (exit " + std::to_string(result.exit_code) + ")") +
                    (result.output.empty() ? "" : ": " + result.last_line()));
  }
}

}  // namespace

std::optional<SystemUser> find_system_user(const std::string& name) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found)
    return std::nullopt;
  SystemUser user;
  user.name = found->pw_name;
  user.uid = found->pw_uid;
  user.gid = found->pw_gid;
  user.home = found->pw_dir;
  int count = 64;
  std::vector<gid_t> gids(static_cast<std::size_t>(count));
  if (::getgrouplist(user.name.c_str(), user.gid, gids.data(), &count) < 0) {
    gids.resize(static_cast<std::size_t>(count));
    ::getgrouplist(user.name.c_str(), user.gid, gids.data(), &count);
  }
  gids.resize(static_cast<std::size_t>(count));
  for (gid_t gid : gids) {
    group group_entry{};
    group* group_found = nullptr;
    std::vector<char> group_buffer(65536);
    if (::getgrgid_r(gid, &group_entry, group_buffer.data(), group_buffer.size(), &group_found) ==
            0 &&
        group_found)
      user.groups.insert(group_found->gr_name);
  }
  return user;
}

std::optional<gid_t> find_group(const std::string& name) {
  std::vector<char> buffer(65536);
  group entry{};
  group* found = nullptr;
  if (::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found)
    return std::nullopt;
  return found->gr_gid;
}

std::vector<std::string> group_members(const std::string& name) {
  std::vector<char> buffer(1 << 20);
  group entry{};
  group* found = nullptr;
  std::vector<std::string> members;
  if (::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found)
    return members;
  for (char** member = found->gr_mem; member && *member; ++member)
    members.emplace_back(*member);
  std::sort(members.begin(), members.end());
  return members;
}

void ensure_group(const std::string& group) {
  if (!find_group(group)) run_tool({"/usr/sbin/groupadd", "-f", group});
}

void create_user(const std::string& name, const std::filesystem::path& home,
                 const std::string& shell) {
  run_tool({"/usr/sbin/useradd", "--no-create-home", "--home-dir", home.string(), "--shell", shell,
            "--user-group", "--password", "*", "--", name});
}

void set_group_member(const std::string& user, const std::string& group, bool member) {
  auto current = find_system_user(user);
  if (current && current->in_group(group) == member) return;
  // usermod, not gpasswd: gpasswd loses concurrent changes to one group (measured: 12 parallel
  // additions left 2 members), usermod locks /etc/group around its read and write.
  run_tool({"/usr/sbin/usermod", member ? "--append" : "--remove", "--groups", group, "--", user});
}

void expire_user(const std::string& name) {
  run_tool({"/usr/sbin/usermod", "--expiredate", "1", "--", name});
}

void delete_user(const std::string& name) {
  run_tool({"/usr/sbin/userdel", "--", name});
}

}  // namespace da::accounts
