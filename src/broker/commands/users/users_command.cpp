// da users: the portal's identities, roles and personal access tokens.
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/common/time.hpp"
#include "da/identity/api_token_store.hpp"
#include "da/identity/user_store.hpp"
#include "da/module/module_registry.hpp"
#include "da/store/state_store.hpp"

namespace da::commands::users {

namespace {

using Json = nlohmann::json;

std::string when(std::optional<int64_t> micros) {
  return micros ? format_iso8601(from_epoch_micros(*micros)).substr(0, 19) + "Z" : "-";
}

Json user_json(const identity::User& user) {
  return {{"email", user.email},
          {"username", user.username},
          {"name", user.name},
          {"roles", user.roles},
          {"disabled", user.disabled},
          {"last_login_at", user.last_login_at ? Json(when(user.last_login_at)) : Json(nullptr)},
          {"has_ssh_key", user.ssh_public_key.has_value()}};
}

void print_user(cli::CommandContext& context, const identity::User& user) {
  if (context.json()) {
    context.print(user_json(user).dump(2) + "\n");
    return;
  }
  std::string roles;
  for (const auto& role : user.roles)
    roles += (roles.empty() ? "" : ",") + role;
  context.print(fmt::format("{} ({}): roles {}{}\n", user.email, user.username, roles,
                            user.disabled ? ", disabled" : ""));
}

int list_users(cli::CommandContext& context, const cli::Arguments&) {
  store::StateStore store(context.config().paths.state_db);
  auto users = identity::UserStore(store.database()).list();
  if (context.json()) {
    Json list = Json::array();
    for (const auto& user : users)
      list.push_back(user_json(user));
    context.print(list.dump(2) + "\n");
    return cli::ExitCode::kSuccess;
  }
  if (users.empty()) context.print("no users yet (they appear after their first sign-in)\n");
  for (const auto& user : users) {
    std::string roles;
    for (const auto& role : user.roles)
      roles += (roles.empty() ? "" : ",") + role;
    context.print(fmt::format("{:<36} {:<32} {:<26} {:<9} {}\n", user.email, user.username, roles,
                              user.disabled ? "disabled" : "active", when(user.last_login_at)));
  }
  return cli::ExitCode::kSuccess;
}

int grant_role(cli::CommandContext& context, const cli::Arguments& arguments) {
  store::StateStore store(context.config().paths.state_db);
  identity::UserStore users(store.database());
  users.ensure(arguments.value("email"), context.config().username_mapping);
  print_user(context, users.grant_role(arguments.value("email"), arguments.value("role")));
  return cli::ExitCode::kSuccess;
}

int revoke_role(cli::CommandContext& context, const cli::Arguments& arguments) {
  store::StateStore store(context.config().paths.state_db);
  print_user(context, identity::UserStore(store.database())
                          .revoke_role(arguments.value("email"), arguments.value("role")));
  return cli::ExitCode::kSuccess;
}

int set_disabled(cli::CommandContext& context, const cli::Arguments& arguments, bool disabled) {
  store::StateStore store(context.config().paths.state_db);
  print_user(
      context,
      identity::UserStore(store.database()).set_disabled(arguments.value("email"), disabled));
  return cli::ExitCode::kSuccess;
}

int create_token(cli::CommandContext& context, const cli::Arguments& arguments) {
  store::StateStore store(context.config().paths.state_db);
  auto user = identity::UserStore(store.database()).find_by_email(arguments.value("email"));
  if (!user)
    throw Error(ErrorKind::kNotFound, "no user with the email " + arguments.value("email"));
  if (user->disabled) throw Error(ErrorKind::kAuth, "the account " + user->email + " is disabled");
  int64_t days = arguments.integer("days");
  if (days < 0 || days > 3650)
    throw Error(ErrorKind::kConfig, "--days must be between 0 (never expires) and 3650");
  std::optional<std::chrono::hours> lifetime;
  if (days > 0) lifetime = std::chrono::hours(24 * days);
  auto issued = identity::ApiTokenStore(store.database())
                    .create_personal(user->id, arguments.value("name"), lifetime);
  if (context.json()) {
    context.print(Json{{"id", issued.info.id},
                       {"token", issued.token},
                       {"expires_at", issued.info.expires_at ? Json(when(issued.info.expires_at))
                                                             : Json(nullptr)}}
                      .dump(2) +
                  "\n");
  } else {
    context.print(issued.token + "\n");
    std::fprintf(
        stderr,
        "token %lld for %s; it is shown only now. Use it as 'Authorization: Bearer <token>'.\n",
        static_cast<long long>(issued.info.id), user->email.c_str());
  }
  return cli::ExitCode::kSuccess;
}

int list_tokens(cli::CommandContext& context, const cli::Arguments& arguments) {
  store::StateStore store(context.config().paths.state_db);
  auto user = identity::UserStore(store.database()).find_by_email(arguments.value("email"));
  if (!user)
    throw Error(ErrorKind::kNotFound, "no user with the email " + arguments.value("email"));
  for (const auto& token : identity::ApiTokenStore(store.database()).list(user->id))
    context.print(fmt::format("{:>5} {:<16} {:<20} created {} expires {} last used {}{}\n",
                              token.id, token.kind, token.name, when(token.created_at),
                              when(token.expires_at), when(token.last_used_at),
                              token.revoked_at ? " (revoked)" : ""));
  return cli::ExitCode::kSuccess;
}

int revoke_token(cli::CommandContext& context, const cli::Arguments& arguments) {
  store::StateStore store(context.config().paths.state_db);
  auto user = identity::UserStore(store.database()).find_by_email(arguments.value("email"));
  if (!user)
    throw Error(ErrorKind::kNotFound, "no user with the email " + arguments.value("email"));
  if (!identity::ApiTokenStore(store.database()).revoke(user->id, arguments.integer("id")))
    throw Error(ErrorKind::kNotFound,
                "no active token " + arguments.value("id") + " of " + user->email);
  context.print("revoked\n");
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  auto& commands = registry.commands;
  commands.describe_group("users",
                          "Portal users, roles (analyst, privileged, admin) and access tokens");
  commands.add({"users list", "List the portal's users", {}, list_users});
  commands.add({"users grant-role",
                "Give a user a role (creates the user if needed)",
                {cli::positional("EMAIL", "The user's email", true),
                 cli::positional("ROLE", "analyst, privileged or admin", true)},
                grant_role});
  commands.add({"users revoke-role",
                "Take a role from a user",
                {cli::positional("EMAIL", "The user's email", true),
                 cli::positional("ROLE", "privileged or admin", true)},
                revoke_role});
  commands.add(
      {"users disable",
       "Shut a user out: ends their sessions and revokes their tokens",
       {cli::positional("EMAIL", "The user's email", true)},
       [](cli::CommandContext& c, const cli::Arguments& a) { return set_disabled(c, a, true); }});
  commands.add(
      {"users enable",
       "Let a disabled user sign in again",
       {cli::positional("EMAIL", "The user's email", true)},
       [](cli::CommandContext& c, const cli::Arguments& a) { return set_disabled(c, a, false); }});
  commands.describe_group("users token", "Personal access tokens for the JSON API");
  commands.add({"users token create",
                "Create a personal access token (printed once)",
                {cli::positional("EMAIL", "The token's user", true),
                 cli::value_option("--name", "What the token is for", "cli"),
                 cli::value_option("--days", "Days until it expires (0: never)", "90")},
                create_token});
  commands.add({"users token list",
                "List a user's tokens",
                {cli::positional("EMAIL", "The user's email", true)},
                list_tokens});
  commands.add({"users token revoke",
                "Revoke a user's token",
                {cli::positional("EMAIL", "The user's email", true),
                 cli::positional("ID", "The token id (see list)", true)},
                revoke_token});
}

}  // namespace da::commands::users
