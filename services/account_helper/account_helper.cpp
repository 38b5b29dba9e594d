#include "account_helper.hpp"

#include <chrono>

#include <unistd.h>

#include "da/accounts/analyst_accounts.hpp"
#include "da/accounts/sync_filters.hpp"
#include "da/accounts/system_users.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/identity/ssh_key.hpp"
#include "da/identity/user_store.hpp"
#include "da/net/unix_socket_server.hpp"
#include "da/store/state_store.hpp"

namespace da::services::account_helper {

namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxRequestBytes = 64 * 1024;
constexpr auto kReadTimeout = std::chrono::seconds(5);

accounts::AnalystAccounts accounts_of(const config::InstanceConfig& config) {
  return accounts::AnalystAccounts(accounts::account_settings(config));
}

Json failure(ErrorKind kind, const std::string& message) {
  return {{"ok", false}, {"kind", to_string(kind)}, {"error", message}};
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
  // Administrators' accounts are root's business (`da admin add-admin`): a compromised portal
  // must not be able to put its key on one.
  if (auto existing = accounts::find_system_user(username);
      existing && existing->in_group(accounts::kOpsGroup))
    throw Error(ErrorKind::kAuth, "'" + username +
                                      "' is an administrator account: it is managed with da "
                                      "admin, not through the portal");
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
  net::PeerCredentials peer = net::peer_credentials(client_fd);
  Json reply;
  std::string op = "?";
  if (!allowed_uids_.count(peer.uid)) {
    reply = failure(ErrorKind::kAuth, "this account may not use the account helper");
  } else {
    std::string text;
    Json request = net::read_until(client_fd, text, "\n", kMaxRequestBytes, kReadTimeout)
                       ? Json::parse(text.substr(0, text.find('\n')), nullptr, false)
                       : Json(nullptr);
    if (request.is_object() && request.contains("op") && request["op"].is_string())
      op = request["op"].get<std::string>().substr(0, 40);
    reply = request.is_object() ? handle(request)
                                : failure(ErrorKind::kData, "expected one line of JSON");
  }
  if (reply.value("ok", false))
    log::info("account helper: uid {} {}: done", peer.uid, op);
  else
    log::warn("account helper: uid {} {}: refused: {}", peer.uid, op, reply.value("error", ""));
  net::write_all(client_fd, reply.dump() + "\n");
}

void AccountHelper::serve(const std::filesystem::path& socket, gid_t socket_group,
                          const std::atomic<bool>& stop) {
  net::UnixSocketListener listener(socket, 0660, socket_group);
  log::info("account helper listening on {}", socket.string());
  while (!stop.load()) {
    int client = listener.accept_for(std::chrono::milliseconds(200));
    if (client < 0) continue;
    answer(client);
    ::close(client);
  }
}

}  // namespace da::services::account_helper
