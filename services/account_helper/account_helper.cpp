#include "account_helper.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "da/accounts/analyst_accounts.hpp"
#include "da/accounts/sync_filters.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/identity/ssh_key.hpp"
#include "da/identity/user_store.hpp"
#include "da/store/state_store.hpp"

namespace da::services::account_helper {

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxRequestBytes = 64 * 1024;
constexpr auto kReadTimeout = std::chrono::seconds(5);

accounts::AnalystAccounts accounts_of(const config::InstanceConfig& config) {
  accounts::AccountSettings settings;
  settings.home_root = config.accounts.home_root;
  settings.shell = config.accounts.shell;
  settings.data_dir = config.paths.data_dir;
  settings.docs_dir = config.paths.docs_dir;
  return accounts::AnalystAccounts(settings);
}

Json failure(ErrorKind kind, const std::string& message) {
  return {{"ok", false}, {"kind", to_string(kind)}, {"error", message}};
}

// One line from `fd`, within kReadTimeout and kMaxRequestBytes; "" if the caller sent none.
std::string read_line(int fd) {
  std::string text;
  auto deadline = Clock::now() + kReadTimeout;
  char buffer[4096];
  while (text.find('\n') == std::string::npos && text.size() <= kMaxRequestBytes) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return "";
    pollfd poll_fd{fd, POLLIN, 0};
    int ready = ::poll(&poll_fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
  }
  if (text.size() > kMaxRequestBytes) return "";
  return text.substr(0, text.find('\n'));
}

}  // namespace

AccountHelper::AccountHelper(config::InstanceConfig config, std::set<uid_t> allowed_uids)
    : config_(std::move(config)), allowed_uids_(std::move(allowed_uids)) {
  allowed_uids_.insert(0);
}

Json AccountHelper::handle(const Json& request) {
  try {
    if (!request.is_object()) return failure(ErrorKind::kData, "the request must be a JSON object");
    std::string op = request.value("op", "");
    auto text = [&](const char* field) {
      if (!request.contains(field) || !request[field].is_string())
        throw Error(ErrorKind::kData, std::string(field) + ": expected a string");
      return request[field].get<std::string>();
    };
    if (op == "provision") return provision(text("username"), text("ssh_key"));
    if (op == "sync_filters") return sync_filters(text("username"));
    return failure(ErrorKind::kData, "unknown op '" + op.substr(0, 40) +
                                         "': the helper does provision and sync_filters only");
  } catch (const Error& error) {
    return failure(error.kind(), error.what());
  } catch (const std::exception& error) {
    return failure(ErrorKind::kInternal, error.what());
  }
}

Json AccountHelper::provision(const std::string& username, const std::string& ssh_key) {
  std::string key = identity::normalize_ssh_public_key(ssh_key);
  bool privileged = false;
  {
    store::StateStore store(config_.paths.state_db);
    auto user = identity::UserStore(store.database()).find_by_username(username);
    if (!user || user->disabled || user->ssh_public_key.value_or("") != key)
      throw Error(ErrorKind::kAuth, "the portal has not registered this key for '" + username +
                                        "' (or the user is disabled): nothing was changed");
    privileged = user->is_privileged();
  }
  auto accounts = accounts_of(config_);
  auto account = accounts.add_analyst(
      username, key,
      privileged ? accounts::PrivateAccess::kGrant : accounts::PrivateAccess::kRevoke);
  accounts::write_sync_filters(config_, accounts, username);
  std::string message = account.created
                            ? "Your server account " + username + " was created. You can sync now."
                            : "Your key was installed on your server account " + username + ".";
  return {{"ok", true}, {"created", account.created}, {"message", message}};
}

Json AccountHelper::sync_filters(const std::string& username) {
  auto accounts = accounts_of(config_);
  int written = accounts::write_sync_filters(config_, accounts, username);
  return {{"ok", true}, {"written", written}};
}

void AccountHelper::answer(int client_fd) {
  ucred credentials{};
  socklen_t length = sizeof credentials;
  Json reply;
  std::string op = "?";
  if (::getsockopt(client_fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0 ||
      !allowed_uids_.count(credentials.uid)) {
    reply = failure(ErrorKind::kAuth, "this account may not use the account helper");
  } else {
    Json request = Json::parse(read_line(client_fd), nullptr, false);
    if (request.is_object()) op = request.value("op", "?");
    reply = request.is_discarded() ? failure(ErrorKind::kData, "expected one line of JSON")
                                   : handle(request);
  }
  if (reply.value("ok", false))
    log::info("account helper: uid {} {}: done", credentials.uid, op);
  else
    log::warn("account helper: uid {} {}: refused: {}", credentials.uid, op,
              reply.value("error", ""));
  std::string line = reply.dump() + "\n";
  (void)::send(client_fd, line.data(), line.size(), MSG_NOSIGNAL);
}

void AccountHelper::serve(const std::filesystem::path& socket, gid_t socket_group,
                          const std::atomic<bool>& stop) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket.string().size() >= sizeof address.sun_path)
    throw Error(ErrorKind::kConfig, "the socket path " + socket.string() + " is too long");
  std::strcpy(address.sun_path, socket.c_str());
  std::error_code ignored;
  std::filesystem::create_directories(socket.parent_path(), ignored);
  struct stat info {};
  if (::lstat(socket.c_str(), &info) == 0) {
    if (!S_ISSOCK(info.st_mode))
      throw Error(ErrorKind::kConfig, socket.string() + " exists and is not a socket");
    ::unlink(socket.c_str());
  }
  int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) throw_system_error("cannot create a socket", socket.string(), errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{listener};
  mode_t old_mask = ::umask(0177);
  int bound = ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::umask(old_mask);
  if (bound != 0) throw_system_error("cannot listen on", socket.string(), errno);
  if (::chown(socket.c_str(), 0, socket_group) != 0 || ::chmod(socket.c_str(), 0660) != 0)
    throw_system_error("cannot set the owner of", socket.string(), errno);
  if (::listen(listener, 16) != 0) throw_system_error("cannot listen on", socket.string(), errno);
  log::info("account helper listening on {}", socket.string());
  while (!stop.load()) {
    pollfd poll_fd{listener, POLLIN, 0};
    if (::poll(&poll_fd, 1, 200) <= 0) continue;
    int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    answer(client);
    ::close(client);
  }
  ::unlink(socket.c_str());
}

}  // namespace da::services::account_helper
