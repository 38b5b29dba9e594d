#include "da/identity/ssh_key.hpp"

#include <array>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::identity {

namespace {

constexpr std::array<std::string_view, 8> kKeyTypes = {"ssh-ed25519",
                                                       "ssh-rsa",
                                                       "ecdsa-sha2-nistp256",
                                                       "ecdsa-sha2-nistp384",
                                                       "ecdsa-sha2-nistp521",
                                                       "sk-ssh-ed25519@openssh.com",
                                                       "sk-ecdsa-sha2-nistp256@openssh.com",
                                                       "ssh-dss"};

[[noreturn]] void reject(const std::string& message) {
  throw Error(ErrorKind::kData, message);
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string url(text);
  for (char& c : url) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return base64url_decode(url);
}

}  // namespace

std::string normalize_ssh_public_key(std::string_view pasted) {
  if (pasted.find("PRIVATE KEY") != std::string_view::npos)
    reject(
        "this is a private key: paste the public key (the .pub file) instead, and keep the "
        "private key secret");
  std::vector<std::string> parts;
  std::string current;
  for (char c : pasted) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (!current.empty()) parts.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) parts.push_back(std::move(current));
  if (parts.empty()) reject("SSH key is required");
  const std::string& type = parts[0];
  bool known = false;
  for (std::string_view candidate : kKeyTypes)
    known |= type == candidate;
  if (!known)
    reject(
        "Invalid SSH key format: it must start with ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256 "
        "(found '" +
        type.substr(0, 40) + "')");
  if (parts.size() < 2)
    reject("Invalid SSH key format: the key data after '" + type + "' is missing");
  if (parts[1].size() < 60) reject("SSH key appears too short");
  auto blob = base64_decode(parts[1]);
  if (!blob || blob->size() < 4 + type.size())
    reject("Invalid SSH key format: the key data is not valid base64");
  uint32_t length = (static_cast<uint8_t>((*blob)[0]) << 24) |
                    (static_cast<uint8_t>((*blob)[1]) << 16) |
                    (static_cast<uint8_t>((*blob)[2]) << 8) | static_cast<uint8_t>((*blob)[3]);
  if (length != type.size() || blob->compare(4, length, type) != 0)
    reject("Invalid SSH key format: the key data does not match the key type " + type);
  std::string key = type + " " + parts[1];
  for (std::size_t i = 2; i < parts.size(); ++i)
    key += (i == 2 ? " " : " ") + parts[i];
  if (key.size() > 8192) reject("SSH key is too long");
  return key;
}

}  // namespace da::identity
