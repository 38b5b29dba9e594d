// Server user names derived from emails (original-web-spec §4.1): lower case, "@" and "."
// become "_" (john.doe@acme.com -> john_doe_acme_com). The result must be a valid account
// name: it starts with a letter, holds only [a-z0-9_-] and is at most 32 characters.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace da::identity {

inline constexpr std::size_t kMaxUsernameLength = 32;

// "" for an empty email or one without "@".
std::string derive_username(std::string_view email);
// Why `username` cannot be a server account name, or nullopt if it can. Names that the
// system reserves (root, www-data, ...) are refused too.
std::optional<std::string> username_problem(std::string_view username);
// The server name for `email`: derived, then replaced through `username_mapping` (keys are
// derived names) where the instance maps it. Throws Error(kAuth) with a message that says how
// to fix a name that is too long or invalid (a username_mapping entry).
std::string username_for_email(std::string_view email,
                               const std::map<std::string, std::string>& username_mapping);

}  // namespace da::identity
