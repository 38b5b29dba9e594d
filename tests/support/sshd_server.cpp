#include "support/sshd_server.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace da::testing {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSshd = "/usr/sbin/sshd";
constexpr int kStartAttempts = 5;
constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(5);
constexpr auto kSessionSettleTimeout = std::chrono::seconds(2);

bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string_view dir = rest.substr(0, colon);
    if (!dir.empty() && ::access((fs::path(dir) / name).c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return false;
}

std::string tail(const std::string& text, size_t max_chars = 4000) {
  return text.size() <= max_chars ? text : "..." + text.substr(text.size() - max_chars);
}

void run_or_throw(const std::vector<std::string>& argv) {
  ProcessResult result = run_process(argv);
  if (result.exit_code != 0) {
    throw std::runtime_error(argv[0] + " failed (exit " + std::to_string(result.exit_code) +
                             "): " + result.err);
  }
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// A port nobody listens on right now. sshd binds it a moment later, so it may
// be taken in between; start() retries then.
int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot bind a port on 127.0.0.1");
  return ntohs(address.sin_port);
}

bool accepts_connections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

// True if `pid` has child processes (sshd forks one per connection).
bool has_children(pid_t pid) {
  std::string id = std::to_string(pid);
  std::string children = read_text(fs::path("/proc") / id / "task" / id / "children");
  return children.find_first_not_of(" \n") != std::string::npos;
}

// A path as one config argument, quoted. For ssh_config, '%' is escaped from
// ssh's %-token expansion (IdentityFile and UserKnownHostsFile expand tokens);
// sshd's HostKey and PidFile expand none.
std::string config_path(const fs::path& path, bool escape_percent) {
  std::string quoted = "\"";
  for (char c : path.string()) {
    if (c == '"' || c == '\n') throw std::runtime_error("unusable path in ssh config: " + path.string());
    quoted += c;
    if (escape_percent && c == '%') quoted += '%';
  }
  return quoted + "\"";
}

// A word in an ssh_config or sshd_config line, which has no quoting for these.
const std::string& config_word(const std::string& word) {
  if (word.empty() || word.find_first_of(" \t\n\"'%#") != std::string::npos) {
    throw std::runtime_error("unusable word in ssh config: '" + word + "'");
  }
  return word;
}

}  // namespace

bool sshd_tests_possible(std::string* why) {
  std::string reason;
  if (::geteuid() != 0) {
    reason = "sshd tests need root (to run sshd and create accounts); running as uid " +
             std::to_string(::geteuid());
  } else if (::access(kSshd, X_OK) != 0) {
    reason = std::string(kSshd) + " not found (apt-get install openssh-server)";
  } else {
    for (const char* tool : {"ssh", "ssh-keygen", "rsync"}) {
      if (!on_path(tool)) {
        reason = std::string(tool) + " not found on PATH";
        break;
      }
    }
  }
  if (why) *why = reason;
  return reason.empty();
}

SshClientKey make_client_key(const fs::path& dir, const std::string& name) {
  fs::path key = dir / name;
  run_or_throw({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.string()});
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
  std::string public_key = read_text(fs::path(key.string() + ".pub"));
  while (!public_key.empty() && (public_key.back() == '\n' || public_key.back() == '\r')) {
    public_key.pop_back();
  }
  return {key, public_key};
}

SshdServer::SshdServer(fs::path work_dir) : work_dir_(std::move(work_dir)) {}

SshdServer::~SshdServer() { stop(); }

std::string SshdServer::log() const { return read_text(work_dir_ / "sshd.log"); }

void SshdServer::start() {
  if (pid_ > 0) throw std::logic_error("sshd is already running");
  // The privilege separation directory, which Debian creates only from its service unit.
  if (!fs::exists("/run/sshd")) {
    fs::create_directories("/run/sshd");
    fs::permissions("/run/sshd", fs::perms(0755));
  }
  fs::path host_key = work_dir_ / "host_key";
  if (!fs::exists(host_key)) {
    run_or_throw({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", host_key.string()});
  }
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = free_loopback_port();
    write_file(work_dir_ / "sshd_config",
               "ListenAddress 127.0.0.1\n"
               "Port " + std::to_string(port_) + "\n"
               "HostKey " + config_path(host_key, false) + "\n"
               "PidFile " + config_path(work_dir_ / "sshd.pid", false) + "\n"
               "AuthorizedKeysFile .ssh/authorized_keys\n"
               "PubkeyAuthentication yes\n"
               "PasswordAuthentication no\n"
               "KbdInteractiveAuthentication no\n"
               "UsePAM no\n"
               "StrictModes yes\n"
               "PermitRootLogin no\n"
               "AllowTcpForwarding no\n"
               "X11Forwarding no\n"
               "LogLevel VERBOSE\n"
               // Tests may open many connections at once; the default 10:30:100 drops some.
               "MaxStartups 50:30:100\n");
    if (launch_and_wait()) return;
  }
  throw std::runtime_error("sshd found no free port in " + std::to_string(kStartAttempts) +
                           " attempts; log:\n" + tail(log()));
}

bool SshdServer::launch_and_wait() {
  fs::path log_path = work_dir_ / "sshd.log";
  fs::path config = work_dir_ / "sshd_config";
  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_path.string());
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::vector<std::string> argv{kSshd, "-D", "-e", "-f", config.string()};
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    // Take sshd down with the test if the test dies without stopping it.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);
    // sshd's per-connection processes can outlive their parent by a moment; as
    // a subreaper sshd reaps them itself instead of leaving them to init.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::close_range(3, ~0U, 0);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
  pid_ = pid;

  // The log line proves the listener is this sshd, not whoever took the port meanwhile.
  const std::string listening = "Server listening on 127.0.0.1 port " + std::to_string(port_) + ".";
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::string text = log();
      if (text.find("Address already in use") != std::string::npos) return false;
      throw std::runtime_error("sshd exited at start (status " + std::to_string(status) +
                               "); log:\n" + tail(text));
    }
    if (log().find(listening) != std::string::npos && accepts_connections(port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  throw std::runtime_error("sshd did not accept connections on 127.0.0.1:" + std::to_string(port_) +
                           " within 10 s; log:\n" + tail(log()));
}

void SshdServer::stop() {
  if (pid_ <= 0) return;
  // Sessions whose clients are gone end within milliseconds. Had sshd been
  // terminated first, they would outlive it as orphans (zombies until init
  // gets to them), still running as the account a test is about to delete.
  auto settle = std::chrono::steady_clock::now() + kSessionSettleTimeout;
  while (has_children(pid_) && std::chrono::steady_clock::now() < settle) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
  int status = 0;
  while (true) {
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

fs::path SshdServer::write_client_config(const fs::path& file, const std::string& host_alias,
                                         const std::string& user, const fs::path& identity) const {
  if (port_ == 0) throw std::logic_error("write_client_config before start");
  write_file(file,
             "Host " + config_word(host_alias) + "\n"
             "  HostName 127.0.0.1\n"
             "  Port " + std::to_string(port_) + "\n"
             "  User " + config_word(user) + "\n"
             "  IdentityFile " + config_path(identity, true) + "\n"
             "  IdentitiesOnly yes\n"
             "  BatchMode yes\n"
             "  StrictHostKeyChecking no\n"
             "  UserKnownHostsFile " + config_path(work_dir_ / "known_hosts", true) + "\n"
             "  ConnectTimeout 10\n"
             "  LogLevel ERROR\n");
  return file;
}

}  // namespace da::testing
