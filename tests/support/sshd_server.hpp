// A real OpenSSH server on a loopback port, for tests that pull data over SSH
// (ssh, rsync -e ssh) as Linux accounts.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace da::testing {

// Returns true if this process can run a real sshd for tests: it runs as root
// and /usr/sbin/sshd, ssh, ssh-keygen and rsync exist. Otherwise returns false
// and, if `why` is not null, stores the reason in *why (for GTEST_SKIP() << why).
bool sshd_tests_possible(std::string* why);

struct SshClientKey {
  std::filesystem::path private_key;  // mode 0600
  std::string public_key;             // one authorized_keys line, no trailing newline
};

// Generates an ed25519 key pair without a passphrase at dir/name and
// dir/name.pub, commented `name`. REQUIRES: dir exists, dir/name does not.
// Throws std::runtime_error if ssh-keygen fails.
SshClientKey make_client_key(const std::filesystem::path& dir, const std::string& name);

// An sshd that listens on 127.0.0.1 only, accepts public keys only (from
// ~/.ssh/authorized_keys, with StrictModes), never root, and forwards nothing.
// Its files (host key, config, pid file, log, the clients' known_hosts) live in
// the work dir. Not thread-safe.
class SshdServer {
 public:
  // Creates nothing yet. REQUIRES: work_dir exists and outlives the server.
  explicit SshdServer(std::filesystem::path work_dir);
  // Calls stop().
  ~SshdServer();
  SshdServer(const SshdServer&) = delete;
  SshdServer& operator=(const SshdServer&) = delete;

  // Generates the host key (once), writes the config and runs sshd in the
  // foreground as a child of this process. Returns once sshd accepts TCP
  // connections on port(). Creates /run/sshd if missing. Retries on another
  // port if the chosen one was taken meanwhile. Throws std::runtime_error
  // (with the tail of the log) if sshd is not up within 10 s.
  // REQUIRES: not running.
  void start();

  // Waits up to 2 s for sshd's connections to end, then terminates sshd
  // (SIGTERM, then SIGKILL after 5 s) and reaps it. Connections still open
  // then are left to end on their own. Does nothing if not running.
  void stop();

  // The port sshd listens on; 0 before the first start().
  int port() const { return port_; }
  const std::filesystem::path& work_dir() const { return work_dir_; }
  // What sshd logged so far (its stderr, LogLevel VERBOSE); for failure messages.
  std::string log() const;

  // Writes an ssh_config at `file` (replacing it) in which host `host_alias`
  // means this server, logged into as `user` with the private key `identity`
  // only, non-interactively, the host key accepted on first use. Returns `file`.
  // Use as `ssh -F file alias ...` or `rsync -e "ssh -F file" alias:path ...`.
  // REQUIRES: start() succeeded (the port is written into the file).
  std::filesystem::path write_client_config(const std::filesystem::path& file,
                                            const std::string& host_alias,
                                            const std::string& user,
                                            const std::filesystem::path& identity) const;

 private:
  // Returns true once sshd is up; false if sshd exited because the port was
  // taken. Throws if it failed otherwise or did not come up in time.
  bool launch_and_wait();

  std::filesystem::path work_dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace da::testing
