// da admin: analyst accounts on the broker (run as root). The portal's identities follow the
// server accounts: --private grants or revokes the portal role "privileged", and removing an
// analyst disables their portal user, which ends their sessions and revokes their tokens.
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "da/accounts/analyst_accounts.hpp"
#include "da/accounts/pending_filter_refreshes.hpp"
#include "da/accounts/sync_filters.hpp"
#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/identity/ssh_key.hpp"
#include "da/identity/user_store.hpp"
#include "da/notify/telegram_links.hpp"
#include "da/module/module_registry.hpp"
#include "da/store/state_store.hpp"

namespace da::commands::admin {

namespace {

using Json = nlohmann::json;

accounts::AnalystAccounts accounts_of(const config::InstanceConfig& config) {
  return accounts::AnalystAccounts(accounts::account_settings(config));
}

void require_root() {
  if (::geteuid() != 0)
    throw Error(ErrorKind::kAuth, "analyst accounts are Linux users: run this as root (sudo)");
}

std::string role_of(const accounts::AnalystAccount& account) {
  if (account.operations) return "Admin";
  return account.privileged ? "Privileged" : "Standard";
}

Json account_json(const accounts::AnalystAccount& account) {
  return {{"username", account.username},   {"home", account.home.string()},
          {"role", role_of(account)},       {"private", account.privileged},
          {"data_ops", account.operations}, {"has_key", account.has_key}};
}

// Keeps the portal user of `username` (when there is one) in line with the server account.
std::string follow_in_portal(const config::InstanceConfig& config, const std::string& username,
                             const std::string& key, accounts::PrivateAccess access, bool admin) {
  store::StateStore store(config.paths.state_db);
  identity::UserStore users(store.database());
  auto user = users.find_by_username(username);
  if (!user) return "";
  users.set_ssh_key(user->id, identity::normalize_ssh_public_key(key));
  if (admin) users.grant_role(user->email, identity::kRoleAdmin);
  if (access == accounts::PrivateAccess::kGrant)
    users.grant_role(user->email, identity::kRolePrivileged);
  if (access == accounts::PrivateAccess::kRevoke && user->has_role(identity::kRolePrivileged))
    users.revoke_role(user->email, identity::kRolePrivileged);
  return user->disabled ? "; the portal user " + user->email + " is disabled (da users enable " +
                              user->email + ")"
                        : "; portal user " + user->email;
}

int finish_add(cli::CommandContext& context, accounts::AnalystAccounts& accounts,
               const accounts::AnalystAccount& account, const std::string& portal_note) {
  std::string filter_note;
  try {
    accounts::write_sync_filters(context.config(), accounts, account.username);
  } catch (const Error& e) {
    // The account itself is complete; only what `da pull --via ssh` selects has to wait.
    filter_note = std::string("; its rsync filter was not written (") + e.what() +
                  "): run `da admin sync-filters` once that is fixed";
  }
  if (context.json()) {
    Json out = account_json(account);
    out["created"] = account.created;
    context.print(out.dump(2) + "\n");
  } else {
    context.print(fmt::format("{} {} ({}, home {}){}{}\n", account.created ? "created" : "repaired",
                              account.username, role_of(account), account.home.string(),
                              portal_note, filter_note));
  }
  return cli::ExitCode::kSuccess;
}

int add_analyst(cli::CommandContext& context, const cli::Arguments& arguments) {
  require_root();
  if (arguments.flag("private") && arguments.flag("no-private"))
    throw Error(ErrorKind::kConfig, "--private and --no-private contradict each other");
  accounts::PrivateAccess access = arguments.flag("private") ? accounts::PrivateAccess::kGrant
                                   : arguments.flag("no-private")
                                       ? accounts::PrivateAccess::kRevoke
                                       : accounts::PrivateAccess::kUnchanged;
  auto accounts = accounts_of(context.config());
  std::string username = arguments.value("user");
  auto account = accounts.add_analyst(username, arguments.value("ssh_key"), access);
  std::string note =
      follow_in_portal(context.config(), username, arguments.value("ssh_key"), access, false);
  return finish_add(context, accounts, account, note);
}

int add_admin(cli::CommandContext& context, const cli::Arguments& arguments) {
  require_root();
  auto accounts = accounts_of(context.config());
  std::string username = arguments.value("user");
  auto account = accounts.add_admin(username, arguments.value("ssh_key"));
  std::string note = follow_in_portal(context.config(), username, arguments.value("ssh_key"),
                                      accounts::PrivateAccess::kGrant, true);
  return finish_add(context, accounts, account, note);
}

bool confirmed(const std::string& username) {
  std::fprintf(stderr, "Remove the account %s and delete its home? [y/N] ", username.c_str());
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

int remove_analyst(cli::CommandContext& context, const cli::Arguments& arguments) {
  require_root();
  std::string username = arguments.value("user");
  for (const char* caller : {std::getenv("SUDO_USER"), ::getlogin()}) {
    if (caller && username == caller)
      throw Error(ErrorKind::kConflict, "refusing to remove your own account " + username);
  }
  if (!arguments.flag("force") && ::isatty(STDIN_FILENO) && !confirmed(username)) {
    context.print("nothing removed\n");
    return cli::ExitCode::kFailure;
  }
  accounts_of(context.config()).remove_analyst(username);
  std::string portal = "no portal user";
  store::StateStore store(context.config().paths.state_db);
  identity::UserStore users(store.database());
  if (auto user = users.find_by_username(username)) {
    users.set_disabled(user->email, true);
    bool telegram = notify::TelegramLinks(store.database()).unlink(user->id);
    portal = "portal user " + user->email + " disabled, its sessions, tokens and desktop link " +
             "revoked" + (telegram ? ", Telegram unlinked" : "");
  }
  context.print(fmt::format("removed {} and its home; {}\n", username, portal));
  return cli::ExitCode::kSuccess;
}

int list_analysts(cli::CommandContext& context, const cli::Arguments&) {
  auto accounts = accounts_of(context.config()).list();
  if (context.json()) {
    Json list = Json::array();
    for (const auto& account : accounts)
      list.push_back(account_json(account));
    context.print(list.dump(2) + "\n");
    return cli::ExitCode::kSuccess;
  }
  if (accounts.empty()) {
    context.print("no analyst accounts (da admin add-analyst USER \"SSH_KEY\")\n");
    return cli::ExitCode::kSuccess;
  }
  context.print(
      fmt::format("{:<32} {:<10} {:<7} {:<8} {}\n", "USER", "ROLE", "PRIVATE", "DATA-OPS", "KEY"));
  for (const auto& account : accounts)
    context.print(fmt::format("{:<32} {:<10} {:<7} {:<8} {}\n", account.username, role_of(account),
                              account.privileged ? "yes" : "no", account.operations ? "yes" : "no",
                              account.has_key ? "yes" : "no"));
  return cli::ExitCode::kSuccess;
}

int sync_filters(cli::CommandContext& context, const cli::Arguments& arguments) {
  require_root();
  auto accounts = accounts_of(context.config());
  int written = 0;
  store::StateStore store(context.config().paths.state_db);
  accounts::PendingFilterRefreshes(store.database())
      .run(arguments.value("user"), [&](const std::string& user) {
        written = accounts::write_sync_filters(context.config(), accounts, user);
      });
  context.print(fmt::format("wrote the sync filter of {} analyst(s)\n", written));
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  auto& commands = registry.commands;
  commands.describe_group("admin", "Analyst accounts on this server (run as root)");
  commands.add({"admin add-analyst",
                "Create or repair an analyst's Linux account: groups, SSH key, home layout",
                {cli::positional("USER", "The account name (as the portal derives it)", true),
                 cli::positional("SSH_KEY", "The analyst's public key, quoted", true),
                 cli::flag("--private", "May read private tables (group data-private)"),
                 cli::flag("--no-private", "May no longer read private tables")},
                add_analyst});
  commands.add({"admin add-admin",
                "Create or repair an administrator: an analyst in data-private and data-ops",
                {cli::positional("USER", "The account name", true),
                 cli::positional("SSH_KEY", "The administrator's public key, quoted", true)},
                add_admin});
  commands.add({"admin remove-analyst",
                "Delete an analyst's account and home, end their sessions and disable their "
                "portal user",
                {cli::positional("USER", "The account name", true),
                 cli::flag("-f,--force", "Do not ask for confirmation")},
                remove_analyst});
  commands.add(
      {"admin list-analysts", "List the analyst accounts and their access", {}, list_analysts});
  commands.add({"admin sync-filters",
                "Rewrite the analysts' ~/.sync_rsync_filter from their portal selections",
                {cli::positional("USER", "Only this analyst (default: all)")},
                sync_filters});
}

}  // namespace da::commands::admin
