// unit_exec --unit FILE [--user NAME] [--tmpfs DIR]... [--bind SRC:DST]... [--env K=V]...
//           [--exec-replace FROM=TO] [--layout-only -- ARGV...]
//
// Starts a systemd service's ExecStart= the way systemd would, on machines where systemd is not
// PID 1 (containers): in a mount namespace of its own, as the unit's User=, with what the unit
// asks for of this list applied from the unit file itself:
//   User= Group= (initgroups), Environment=, UMask=, LimitNOFILE=, RuntimeDirectory= (with
//   RuntimeDirectoryMode=), WorkingDirectory= (default /), ProtectSystem=strict|full|yes,
//   ReadWritePaths=, ReadOnlyPaths=, InaccessiblePaths=, ProtectHome=yes|read-only|tmpfs,
//   PrivateTmp=, PrivateNetwork=, CapabilityBoundingSet=, AmbientCapabilities=,
//   NoNewPrivileges=, MemoryDenyWriteExecute= (the kernel's PR_SET_MDWE, same rules),
//   SystemCallFilter= with SystemCallErrorNumber= (the groups as `systemd-analyze
//   syscall-filter` lists them) and RestrictAddressFamilies= (seccomp, as systemd does).
// Not applied (they restrict kernel interfaces our programs do not use): the Protect{Kernel*,
// Clock,Hostname,ControlGroups,Proc}=, ProcSubset=, PrivateDevices=, Restrict{Namespaces,
// Realtime,SUIDSGID}=, LockPersonality=, IPAddress*=, RemoveIPC=; EnvironmentFile= is ignored
// (the test passes its environment with --env).
//
// Before the unit's own settings, the layout options give the test's folders the unit's paths:
// --tmpfs mounts an empty tmpfs (to make room for mount points, e.g. /opt), --bind mounts the
// test's folder SRC on DST (created if missing). --user runs a unit whose User= is not root as
// NAME instead (a temporary account of the test). --exec-replace swaps the program of ExecStart=
// (/usr/bin/da=build/da). --layout-only runs ARGV with the layout alone, as root.
//
// Exits 226 (systemd's EXIT_NAMESPACE) when the sandbox cannot be set up, naming the step.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

constexpr int kExitNamespace = 226;
constexpr int kPrSetMdwe = 65;  // Linux 6.3; not in Debian 12's headers
constexpr int kMdweRefuseExecGain = 1;

[[noreturn]] void fail(const std::string& step, int error = 0) {
  std::cerr << "unit_exec: " << step << (error ? std::string(": ") + std::strerror(error) : "")
            << "\n";
  std::exit(kExitNamespace);
}

void check(int result, const std::string& step) {
  if (result != 0) fail(step, errno);
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> result;
  for (std::string word; in >> word;)
    result.push_back(word);
  return result;
}

bool yes(const std::string& value) {
  return value == "yes" || value == "true" || value == "on" || value == "1";
}

// The [Service] section: every assignment of every key, in file order.
struct Unit {
  std::map<std::string, std::vector<std::string>> settings;

  const std::vector<std::string>& all(const std::string& key) const {
    static const std::vector<std::string> none;
    auto found = settings.find(key);
    return found == settings.end() ? none : found->second;
  }
  std::string last(const std::string& key, std::string fallback = "") const {
    return all(key).empty() ? fallback : all(key).back();
  }
  // Space-separated lists; an empty assignment resets the list, as in systemd.
  std::vector<std::string> list(const std::string& key) const {
    std::vector<std::string> result;
    for (const std::string& value : all(key)) {
      if (value.empty()) result.clear();
      for (const std::string& word : words(value))
        result.push_back(word);
    }
    return result;
  }
};

Unit read_unit(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("cannot read " + path);
  Unit unit;
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      section = line;
      continue;
    }
    auto equals = line.find('=');
    if (section != "[Service]" || equals == std::string::npos) continue;
    unit.settings[line.substr(0, equals)].push_back(line.substr(equals + 1));
  }
  return unit;
}

void make_dirs(const std::string& path) {
  std::string partial;
  for (const std::string& part : [&] {
         std::vector<std::string> parts;
         std::stringstream in(path);
         for (std::string p; std::getline(in, p, '/');)
           if (!p.empty()) parts.push_back(p);
         return parts;
       }()) {
    partial += "/" + part;
    ::mkdir(partial.c_str(), 0755);
  }
}

void set_read_only(const std::string& path, bool read_only) {
  mount_attr attr{};
  (read_only ? attr.attr_set : attr.attr_clr) = MOUNT_ATTR_RDONLY;
  check(mount_setattr(AT_FDCWD, path.c_str(), AT_RECURSIVE, &attr, sizeof attr),
        std::string(read_only ? "read-only " : "writable ") + path);
}

void bind_onto_itself(const std::string& path) {
  check(::mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr), "bind " + path);
}

void mount_tmpfs(const std::string& path, const char* mode) {
  make_dirs(path);
  check(::mount("tmpfs", path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                (std::string("mode=") + mode).c_str()),
        "tmpfs on " + path);
}

// "-/path" is optional: skipped when missing. Otherwise a missing path fails, as in systemd.
bool present(std::string& path) {
  bool optional = !path.empty() && path[0] == '-';
  if (optional) path.erase(0, 1);
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) return true;
  if (!optional) fail("the unit names " + path + ", which does not exist");
  return false;
}

// An empty file of mode 000 in the test's /run tmpfs, mounted over files the unit hides.
constexpr const char* kInaccessibleFile = "/run/.unit-exec-inaccessible";

void make_inaccessible(const std::string& path) {
  struct stat info {};
  ::stat(path.c_str(), &info);
  if (S_ISDIR(info.st_mode)) {
    mount_tmpfs(path, "000");
    set_read_only(path, true);
    return;
  }
  check(::mount(kInaccessibleFile, path.c_str(), nullptr, MS_BIND, nullptr), "hide " + path);
  set_read_only(path, true);
}

void protect_home(const std::string& mode) {
  for (const char* home : {"/home", "/root", "/run/user"}) {
    struct stat info {};
    if (::stat(home, &info) != 0) continue;
    if (mode == "read-only") {
      bind_onto_itself(home);
      set_read_only(home, true);
    } else if (yes(mode) || mode == "tmpfs") {
      mount_tmpfs(home, "755");
      if (yes(mode)) set_read_only(home, true);
    }
  }
}

void apply_file_system(const Unit& unit) {
  if (yes(unit.last("PrivateTmp")))
    for (const char* tmp : {"/tmp", "/var/tmp"})
      mount_tmpfs(tmp, "1777");
  std::string system = unit.last("ProtectSystem", "no");
  if (system == "strict") {
    set_read_only("/", true);
    // systemd leaves the API file systems to ProtectKernel*= and PrivateDevices=.
    for (const char* api : {"/dev", "/proc", "/sys/fs/cgroup"}) {
      mount_attr attr{};
      attr.attr_clr = MOUNT_ATTR_RDONLY;
      mount_setattr(AT_FDCWD, api, AT_RECURSIVE, &attr, sizeof attr);  // locked ones stay
    }
    if (yes(unit.last("PrivateTmp")))
      for (const char* tmp : {"/tmp", "/var/tmp"})
        set_read_only(tmp, false);
    for (const std::string& directory : unit.list("RuntimeDirectory")) {
      bind_onto_itself("/run/" + directory);
      set_read_only("/run/" + directory, false);
    }
  } else if (system == "full" || yes(system)) {
    for (const char* path : {"/usr", "/boot", "/efi", system == "full" ? "/etc" : "/usr"}) {
      struct stat info {};
      if (::stat(path, &info) != 0) continue;
      bind_onto_itself(path);
      set_read_only(path, true);
    }
  }
  std::string home = unit.last("ProtectHome", "no");
  for (std::string path : unit.list("ReadWritePaths")) {
    if (!present(path)) continue;
    bind_onto_itself(path);
    set_read_only(path, false);
  }
  if (home != "no") protect_home(home);
  for (std::string path : unit.list("ReadOnlyPaths")) {
    if (!present(path)) continue;
    bind_onto_itself(path);
    set_read_only(path, true);
  }
  for (std::string path : unit.list("InaccessiblePaths"))
    if (present(path)) make_inaccessible(path);
}

const std::vector<std::string>& capability_names() {
  static const std::vector<std::string> names = {"CAP_CHOWN",
                                                 "CAP_DAC_OVERRIDE",
                                                 "CAP_DAC_READ_SEARCH",
                                                 "CAP_FOWNER",
                                                 "CAP_FSETID",
                                                 "CAP_KILL",
                                                 "CAP_SETGID",
                                                 "CAP_SETUID",
                                                 "CAP_SETPCAP",
                                                 "CAP_LINUX_IMMUTABLE",
                                                 "CAP_NET_BIND_SERVICE",
                                                 "CAP_NET_BROADCAST",
                                                 "CAP_NET_ADMIN",
                                                 "CAP_NET_RAW",
                                                 "CAP_IPC_LOCK",
                                                 "CAP_IPC_OWNER",
                                                 "CAP_SYS_MODULE",
                                                 "CAP_SYS_RAWIO",
                                                 "CAP_SYS_CHROOT",
                                                 "CAP_SYS_PTRACE",
                                                 "CAP_SYS_PACCT",
                                                 "CAP_SYS_ADMIN",
                                                 "CAP_SYS_BOOT",
                                                 "CAP_SYS_NICE",
                                                 "CAP_SYS_RESOURCE",
                                                 "CAP_SYS_TIME",
                                                 "CAP_SYS_TTY_CONFIG",
                                                 "CAP_MKNOD",
                                                 "CAP_LEASE",
                                                 "CAP_AUDIT_WRITE",
                                                 "CAP_AUDIT_CONTROL",
                                                 "CAP_SETFCAP",
                                                 "CAP_MAC_OVERRIDE",
                                                 "CAP_MAC_ADMIN",
                                                 "CAP_SYSLOG",
                                                 "CAP_WAKE_ALARM",
                                                 "CAP_BLOCK_SUSPEND",
                                                 "CAP_AUDIT_READ",
                                                 "CAP_PERFMON",
                                                 "CAP_BPF",
                                                 "CAP_CHECKPOINT_RESTORE"};
  return names;
}

std::set<int> capabilities(const std::vector<std::string>& names) {
  std::set<int> result;
  for (const std::string& name : names) {
    auto found = std::find(capability_names().begin(), capability_names().end(), name);
    if (found == capability_names().end()) fail("unknown capability " + name);
    result.insert(static_cast<int>(found - capability_names().begin()));
  }
  return result;
}

// CapabilityBoundingSet=: absent keeps all; "~A B" all but those.
std::set<int> bounding_set(const Unit& unit) {
  std::set<int> all;
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap)
    all.insert(cap);
  if (unit.all("CapabilityBoundingSet").empty()) return all;
  std::vector<std::string> names = unit.list("CapabilityBoundingSet");
  if (!names.empty() && names[0][0] == '~') {
    names[0].erase(0, 1);
    for (int cap : capabilities(names))
      all.erase(cap);
    return all;
  }
  return capabilities(names);
}

void set_capabilities(const std::set<int>& caps) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  for (int cap : caps) {
    data[cap / 32].effective |= 1u << (cap % 32);
    data[cap / 32].permitted |= 1u << (cap % 32);
    data[cap / 32].inheritable |= 1u << (cap % 32);
  }
  check(static_cast<int>(::syscall(SYS_capset, &header, data)), "capset");
}

// Every group of `systemd-analyze syscall-filter`, its entries as listed (names and @groups).
std::map<std::string, std::vector<std::string>> syscall_groups() {
  std::map<std::string, std::vector<std::string>> groups;
  FILE* listing = ::popen("systemd-analyze syscall-filter --no-pager 2>/dev/null", "r");
  if (!listing) fail("cannot run systemd-analyze syscall-filter", errno);
  char buffer[512];
  std::string group;
  while (std::fgets(buffer, sizeof buffer, listing)) {
    std::string line(buffer);
    line.erase(line.find_last_not_of(" \n") + 1);
    if (line.rfind("@", 0) == 0) {
      group = line;
    } else if (line.rfind("    ", 0) == 0 && !group.empty()) {
      std::string entry = line.substr(line.find_first_not_of(' '));
      if (entry[0] != '#') groups[group].push_back(entry);
    }
  }
  if (::pclose(listing) != 0 || groups.empty()) fail("systemd-analyze syscall-filter failed");
  return groups;
}

void expand(const std::string& entry, const std::map<std::string, std::vector<std::string>>& groups,
            std::set<std::string>& out) {
  if (entry[0] != '@') {
    out.insert(entry);
    return;
  }
  auto found = groups.find(entry);
  if (found == groups.end()) fail("unknown system call group " + entry);
  for (const std::string& item : found->second)
    expand(item, groups, out);
}

void add_syscall_filter(const Unit& unit) {
  if (unit.all("SystemCallFilter").empty()) return;
  auto groups = syscall_groups();
  std::set<std::string> allowed;
  std::set<std::string> denied;
  bool allow_list = false;
  bool first = true;
  for (const std::string& value : unit.all("SystemCallFilter")) {
    bool negated = !value.empty() && value[0] == '~';
    std::set<std::string> names;
    for (const std::string& word : words(negated ? value.substr(1) : value))
      expand(word, groups, names);
    if (first) allow_list = !negated;
    first = false;
    for (const std::string& name : names) {
      if (allow_list && negated) allowed.erase(name);
      if (allow_list && !negated) allowed.insert(name);
      if (!allow_list && negated) denied.insert(name);
      if (!allow_list && !negated) denied.erase(name);
    }
  }
  std::string error = unit.last("SystemCallErrorNumber");
  if (!error.empty() && error != "EPERM")
    fail("SystemCallErrorNumber=" + error + " is not supported");
  uint32_t refuse = error.empty() ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO(EPERM);
  scmp_filter_ctx filter = seccomp_init(allow_list ? refuse : SCMP_ACT_ALLOW);
  for (const std::string& name : allow_list ? allowed : denied) {
    int number = seccomp_syscall_resolve_name(name.c_str());
    if (number == __NR_SCMP_ERROR) continue;  // not on this architecture
    if (seccomp_rule_add(filter, allow_list ? SCMP_ACT_ALLOW : refuse, number, 0) != 0)
      fail("seccomp rule for " + name);
  }
  check(seccomp_load(filter), "seccomp SystemCallFilter=");
  seccomp_release(filter);
}

void add_address_family_filter(const Unit& unit) {
  if (unit.all("RestrictAddressFamilies").empty()) return;
  std::map<std::string, int> known = {{"AF_UNIX", AF_UNIX},
                                      {"AF_INET", AF_INET},
                                      {"AF_INET6", AF_INET6},
                                      {"AF_NETLINK", AF_NETLINK},
                                      {"AF_PACKET", AF_PACKET}};
  std::set<int> allowed;
  for (const std::string& name : unit.list("RestrictAddressFamilies")) {
    if (!known.count(name)) fail("unknown address family " + name);
    allowed.insert(known[name]);
  }
  scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ALLOW);
  for (int family = 0; family < AF_MAX; ++family)
    if (!allowed.count(family))
      seccomp_rule_add(filter, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                       SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(family)));
  seccomp_rule_add(filter, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                   SCMP_A0(SCMP_CMP_GE, static_cast<scmp_datum_t>(AF_MAX)));
  check(seccomp_load(filter), "seccomp RestrictAddressFamilies=");
  seccomp_release(filter);
}

struct Options {
  std::string unit_file;
  std::string user;
  std::vector<std::pair<std::string, std::string>> layout;  // ("tmpfs", dir) or (src, dst)
  std::vector<std::string> env;
  std::map<std::string, std::string> replace;
  bool layout_only = false;
  std::vector<std::string> argv;
};

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--unit") {
      options.unit_file = value();
    } else if (arg == "--user") {
      options.user = value();
    } else if (arg == "--tmpfs") {
      options.layout.emplace_back("tmpfs", value());
    } else if (arg == "--bind") {
      std::string pair = value();
      options.layout.emplace_back(pair.substr(0, pair.find(':')), pair.substr(pair.find(':') + 1));
    } else if (arg == "--env") {
      options.env.push_back(value());
    } else if (arg == "--exec-replace") {
      std::string pair = value();
      options.replace[pair.substr(0, pair.find('='))] = pair.substr(pair.find('=') + 1);
    } else if (arg == "--layout-only") {
      options.layout_only = true;
    } else if (arg == "--") {
      options.argv.assign(argv + i + 1, argv + argc);
      break;
    } else {
      fail("unknown option " + arg);
    }
  }
  if (options.unit_file.empty() && !options.layout_only) fail("--unit is required");
  return options;
}

void apply_layout(const Options& options) {
  check(::unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)");
  check(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "private mounts");
  for (const auto& [source, target] : options.layout) {
    if (source == "tmpfs") {
      mount_tmpfs(target, "755");
    } else {
      make_dirs(target);
      check(::mount(source.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr),
            "bind " + source + " on " + target);
    }
  }
}

// Assignments of Environment= ("A=1 B=2", optionally quoted as a whole).
std::vector<std::string> unit_environment(const Unit& unit) {
  std::vector<std::string> result = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"};
  for (std::string value : unit.all("Environment")) {
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    for (const std::string& assignment : words(value))
      result.push_back(assignment);
  }
  return result;
}

[[noreturn]] void exec(const std::vector<std::string>& argv, std::vector<std::string> env) {
  std::vector<char*> args, vars;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  for (std::string& var : env)
    vars.push_back(var.data());
  vars.push_back(nullptr);
  ::execve(args[0], args.data(), vars.data());
  std::cerr << "unit_exec: cannot run " << argv[0] << ": " << std::strerror(errno) << "\n";
  std::exit(203);  // systemd's EXIT_EXEC
}

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
};

Account service_account(const Unit& unit, const Options& options) {
  std::string name = unit.last("User", "root");
  if (name != "root" && !options.user.empty()) name = options.user;
  passwd* user = ::getpwnam(name.c_str());
  if (!user) fail("no user " + name);
  return {name, user->pw_uid, user->pw_gid, user->pw_dir};
}

// RuntimeDirectory=: /run/<name>, owned by the account, with RuntimeDirectoryMode=.
void make_runtime_directories(const Unit& unit, const Account& account,
                              std::vector<std::string>& env) {
  mode_t mode =
      static_cast<mode_t>(std::stoul(unit.last("RuntimeDirectoryMode", "0755"), nullptr, 8));
  for (const std::string& directory : unit.list("RuntimeDirectory")) {
    std::string path = "/run/" + directory;
    make_dirs(path);
    check(::chown(path.c_str(), account.uid, account.gid), "chown " + path);
    check(::chmod(path.c_str(), mode), "chmod " + path);
    env.push_back("RUNTIME_DIRECTORY=" + path);
  }
}

void apply_process_settings(const Unit& unit) {
  if (std::string limit = unit.last("LimitNOFILE"); !limit.empty()) {
    rlimit files{std::stoul(limit), std::stoul(limit)};
    if (::setrlimit(RLIMIT_NOFILE, &files) != 0) {
      rlimit here{};
      ::getrlimit(RLIMIT_NOFILE, &here);  // a container may cap it below the unit's value
      std::cerr << "unit_exec: LimitNOFILE=" << limit << " is above this machine's "
                << here.rlim_max << "; using that\n";
      here.rlim_cur = here.rlim_max;
      check(::setrlimit(RLIMIT_NOFILE, &here), "LimitNOFILE=");
    }
  }
  ::umask(static_cast<mode_t>(std::stoul(unit.last("UMask", "0022"), nullptr, 8)));
  check(::chdir(unit.last("WorkingDirectory", "/").c_str()), "WorkingDirectory=");
}

// The bounding set, then the account with its ambient capabilities, then NoNewPrivileges=,
// MemoryDenyWriteExecute= and the seccomp filters (last: they may forbid the calls above).
void become_service(const Unit& unit, const Account& account) {
  std::set<int> bounding = bounding_set(unit);
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap)
    if (!bounding.count(cap)) check(::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "bounding set");
  std::set<int> ambient = capabilities(unit.list("AmbientCapabilities"));
  if (account.uid != 0) {
    check(::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "keep capabilities");
    check(::initgroups(account.name.c_str(), account.gid), "initgroups");
    check(::setresgid(account.gid, account.gid, account.gid), "setgid");
    check(::setresuid(account.uid, account.uid, account.uid), "setuid");
    set_capabilities(ambient);
    for (int cap : ambient)
      check(::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0), "ambient capability");
  }
  if (yes(unit.last("NoNewPrivileges"))) check(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "NNP");
  if (yes(unit.last("MemoryDenyWriteExecute")))
    check(::prctl(kPrSetMdwe, kMdweRefuseExecGain, 0, 0, 0), "MemoryDenyWriteExecute=");
  std::cerr << "unit_exec: as " << account.name << " (uid " << account.uid << "), "
            << bounding.size() << " capabilities bounding, " << ambient.size() << " ambient\n";
  add_address_family_filter(unit);
  add_syscall_filter(unit);
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse_options(argc, argv);
  apply_layout(options);
  if (options.layout_only) exec(options.argv, {"PATH=/usr/sbin:/usr/bin"});

  Unit unit = read_unit(options.unit_file);
  std::vector<std::string> command = words(unit.last("ExecStart"));
  if (command.empty()) fail("the unit has no ExecStart=");
  if (auto swap = options.replace.find(command[0]); swap != options.replace.end())
    command[0] = swap->second;
  Account account = service_account(unit, options);
  std::vector<std::string> env = unit_environment(unit);
  env.insert(env.end(),
             {"USER=" + account.name, "LOGNAME=" + account.name, "HOME=" + account.home});
  make_runtime_directories(unit, account, env);
  env.insert(env.end(), options.env.begin(), options.env.end());

  if (!unit.list("InaccessiblePaths").empty()) {
    int fd = ::open(kInaccessibleFile, O_CREAT | O_WRONLY | O_CLOEXEC, 0);
    if (fd < 0)
      fail(std::string("InaccessiblePaths= needs --tmpfs /run: ") + kInaccessibleFile, errno);
    ::close(fd);
  }
  if (yes(unit.last("PrivateNetwork"))) check(::unshare(CLONE_NEWNET), "PrivateNetwork=");
  apply_file_system(unit);
  apply_process_settings(unit);
  become_service(unit, account);
  exec(command, env);
}
