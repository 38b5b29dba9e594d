#include "da/identity/username.hpp"

#include <array>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::identity {

namespace {

constexpr std::array<std::string_view, 44> kReserved = {
    "root",     "admin",  "administrator", "www-data",   "nginx",         "apache", "nobody",
    "daemon",   "bin",    "sys",           "sync",       "games",         "man",    "lp",
    "mail",     "news",   "uucp",          "proxy",      "backup",        "list",   "irc",
    "gnats",    "sshd",   "systemd",       "messagebus", "syslog",        "deploy", "git",
    "postgres", "mysql",  "redis",         "mongodb",    "elasticsearch", "docker", "ubuntu",
    "debian",   "centos", "data",          "test",       "guest",         "user",   "ftp",
    "http",     "www"};

}  // namespace

std::string derive_username(std::string_view email) {
  std::string lower = to_lower(trim(email));
  if (lower.empty() || lower.find('@') == std::string::npos) return {};
  for (char& c : lower)
    if (c == '@' || c == '.') c = '_';
  return lower;
}

std::optional<std::string> username_problem(std::string_view username) {
  if (username.empty()) return "the user name is empty";
  if (username.size() > kMaxUsernameLength)
    return "the user name '" + std::string(username) + "' is longer than " +
           std::to_string(kMaxUsernameLength) + " characters";
  if (username.front() < 'a' || username.front() > 'z')
    return "the user name '" + std::string(username) + "' must start with a letter a-z";
  for (char c : username) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok)
      return "the user name '" + std::string(username) + "' contains '" + std::string(1, c) +
             "' (allowed: a-z, 0-9, '_' and '-')";
  }
  for (std::string_view reserved : kReserved)
    if (username == reserved)
      return "the user name '" + std::string(username) + "' is reserved for system use";
  return std::nullopt;
}

std::string username_for_email(std::string_view email,
                               const std::map<std::string, std::string>& username_mapping) {
  std::string derived = derive_username(email);
  if (derived.empty())
    throw Error(ErrorKind::kAuth, "'" + std::string(email) + "' is not an email address");
  auto mapped = username_mapping.find(derived);
  std::string username = mapped == username_mapping.end() ? derived : mapped->second;
  if (auto problem = username_problem(username)) {
    throw Error(ErrorKind::kAuth,
                "no server account name can be made for " + to_lower(email) + ": " + *problem +
                    "; an administrator can map it in instance.yaml under username_mapping (" +
                    derived + ": <name>)");
  }
  return username;
}

}  // namespace da::identity
