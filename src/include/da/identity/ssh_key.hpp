// SSH public keys pasted by analysts (original-web-spec §4.3, stricter): whitespace runs of
// any kind collapse to one space; the type must be a known public-key type; the base64 blob
// must decode and start with the same type name; private keys are refused.
#pragma once

#include <string>
#include <string_view>

namespace da::identity {

// The normalised key ("ssh-ed25519 AAAA... comment"). Throws Error(kData) with a message for
// the analyst ("SSH key is required", "this is a private key", ...).
std::string normalize_ssh_public_key(std::string_view pasted);

}  // namespace da::identity
