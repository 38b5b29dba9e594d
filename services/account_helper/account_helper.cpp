#include "account_helper.hpp"

#include "da/accounts/analyst_accounts.hpp"
#include "da/accounts/sync_filters.hpp"
#include "da/accounts/system_users.hpp"
#include "da/common/error.hpp"
#include "da/common/json_fields.hpp"
#include "da/common/log.hpp"
#include "da/identity/ssh_key.hpp"
#include "da/identity/user_store.hpp"
#include "da/net/unix_socket_server.hpp"
#include "da/store/state_store.hpp"

namespace da::services::account_helper {

namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxRequestBytes = 64 * 1024;
// Account changes wait for each other (a lock across processes), so a few at once suffice;
// the rest are refused rather than queued behind a stalled caller.
constexpr int kWorkers = 8;

accounts::AnalystAccounts accounts_of(const config::InstanceConfig& config) {
  return accounts::AnalystAccounts(accounts::account_settings(config));
}

Json failure(ErrorKind kind, const std::string& message) {
  return {{"ok", false}, {"kind", to_string(kind)}, {"error", message}};
}

}  // namespace

AccountHelper::AccountHelper(config::InstanceConfig config, std::set<uid_t> allowed_uids,
                             std::chrono::milliseconds request_deadline)
    : config_(std::move(config)),
      allowed_uids_(std::move(allowed_uids)),
      request_deadline_(request_deadline) {
  allowed_uids_.insert(0);
}

Json AccountHelper::handle(const Json& request) {
  try {
    JsonFields fields(request, ErrorKind::kRequest);
    std::string op = fields.string("op");
    if (op == "provision") return provision(fields.string("username"), fields.string("ssh_key"));
    if (op == "sync_filters") return sync_filters(fields.string("username"));
    return failure(ErrorKind::kRequest, "unknown op '" + op.substr(0, 40) +
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

void AccountHelper::answer(net::UnixConnection& client) {
  uid_t uid = client.peer().uid;
  Json reply;
  std::string op = "?";
  std::string text;
  if (!allowed_uids_.count(uid)) {
    reply = failure(ErrorKind::kAuth, "this account may not use the account helper");
  } else if (!client.read_until(text, "\n", kMaxRequestBytes)) {
    reply = failure(ErrorKind::kRequest, "expected one line of JSON within " +
                                             std::to_string(request_deadline_.count()) + " ms");
  } else {
    try {
      Json request = parse_json_object(text.substr(0, text.find('\n')), "the request");
      if (request.contains("op") && request["op"].is_string())
        op = request["op"].get<std::string>().substr(0, 40);
      reply = handle(request);
    } catch (const Error& error) {
      reply = failure(error.kind(), error.what());
    }
  }
  if (reply.value("ok", false))
    log::info("account helper: uid {} {}: done", uid, op);
  else
    log::warn("account helper: uid {} {}: refused: {}", uid, op, reply.value("error", ""));
  client.write_all(reply.dump() + "\n");
}

void AccountHelper::serve(const std::filesystem::path& socket, gid_t socket_group,
                          const std::atomic<bool>& stop) {
  net::UnixSocketListener listener(socket, 0660, socket_group);
  log::info("account helper listening on {}", socket.string());
  net::UnixServerLimits limits;
  limits.workers = kWorkers;
  limits.deadline = request_deadline_;
  net::serve_unix_socket(
      listener, limits, [this](net::UnixConnection& client) { answer(client); },
      [](net::UnixConnection& client) {
        client.write_all(failure(ErrorKind::kConflict,
                                 "the account helper is busy with other requests: try again")
                             .dump() +
                         "\n");
      },
      stop);
}

}  // namespace da::services::account_helper
