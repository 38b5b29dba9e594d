// SSH public keys pasted by analysts: accepted types, the decoded structure, and the errors.
#include <gtest/gtest.h>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/identity/ssh_key.hpp"

namespace da::identity {
namespace {

constexpr const char* kEd25519 =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDFCGjLqhNIwPbD7UJBEAj6Q0S+yGI9/yI1nWOhT3hR1 me@laptop";
constexpr const char* kRsa2048 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDLIDkfzndwvIcKoOhnAAYb6t0iWvzISm6PyDxIimxpTsj5P7m7r6WlmsZ/MgrxRu27ZAfUUcg2rKwSuLm/4/2wwY1K8DM5EvonL7WAdyB2QjuZR1ZWYNl1bd7pgzAVuki3IUsyWlYiK31/7ZI2dEmotDZ3+iYaXeDDzy/qfquvGL2YjyR0rM6aCMOAGTNrHwMG7uFiBVGmRWJ/RSJftbTCLBt2qKPBNp9g5CGB2aSU/W90jJtasobxs+GPmtrm9ktJAX8AFCQ0eKdprcwveeyTvrpN7XFMbiD2naPSIXRhcGxHZcdzqqxkfvOtMvwVrrhg9J7FhoymkueTUdlfd4RN a";
constexpr const char* kRsa1024 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCkK9ue1Wv17nO9Qcrr3O4EBywNTEgEZN7+AfhMVOEGNhjrb3bI0s1llqAkYq0fGosBmpw0kn0wE+Legq4ZSMkpElPkY7zdPnmcSLBhVGisTrRnrhu17xaCdAcT//W5uQjO/KORc2W7PbPmXQ44g7O4Gpa9YEpKRxV4gMq+QsOTiw== a";
constexpr const char* kEcdsa384 = "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBK6NsD+4dzztC0WVW19J8n/iwxpn46gD1DlV9RII0z8QvZZlhDDuKECZbxajMZfhe30wprqFoaT/Z9PaFHtuq4b+FTw7VeLPPJ1uAJHxsZlG4ZjoatxDphBbQwR5JBZNRA== a";

std::string wire_string(const std::string& value) {
  std::string out(4, '\0');
  out[0] = static_cast<char>((value.size() >> 24) & 0xff);
  out[1] = static_cast<char>((value.size() >> 16) & 0xff);
  out[2] = static_cast<char>((value.size() >> 8) & 0xff);
  out[3] = static_cast<char>(value.size() & 0xff);
  return out + value;
}

std::string base64(const std::string& blob) {
  std::string text = base64url_encode(blob);
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4) text += '=';
  return text;
}

// A FIDO key as ssh-keygen -t ed25519-sk writes it (no hardware needed to build one).
std::string sk_ed25519(const std::string& application = "ssh:") {
  std::string type = "sk-ssh-ed25519@openssh.com";
  return type + " " +
         base64(wire_string(type) + wire_string(std::string(32, 'k')) + wire_string(application)) +
         " yubikey";
}

std::string sk_ecdsa() {
  std::string type = "sk-ecdsa-sha2-nistp256@openssh.com";
  return type + " " +
         base64(wire_string(type) + wire_string("nistp256") +
                wire_string("\x04" + std::string(64, 'p')) + wire_string("ssh:")) +
         " yubikey";
}

void expect_refused(const std::string& key, const std::string& fragment) {
  try {
    normalize_ssh_public_key(key);
    ADD_FAILURE() << "accepted: " << key;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(SshKey, AcceptsEveryModernTypeAndCollapsesWhitespace) {
  for (const std::string& key : {std::string(kEd25519), std::string(kRsa2048),
                                std::string(kEcdsa384), sk_ed25519(), sk_ecdsa()})
    EXPECT_EQ(normalize_ssh_public_key(key), key);
  std::string spread = std::string(kEd25519);
  for (char& c : spread)
    if (c == ' ') c = '\n';
  EXPECT_EQ(normalize_ssh_public_key("\r\n\t" + spread + "\r\n"), kEd25519);
}

TEST(SshKey, RefusesKeysThatAreWeakDamagedOrNotPublic) {
  expect_refused("", "required");
  expect_refused("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n", "private key");
  expect_refused(kRsa1024, "at least 2048");
  expect_refused("ssh-dss AAAAB3NzaC1kc3MAAACBANbr7HLUAsmbOR6tCCI53dyVbO4CPXFcAAAAFQDW6+xy1ALJmzke",
                 "DSA");
  expect_refused("command=\"rm -rf /\" " + std::string(kEd25519), "must start with");
  // The type named in front must be the type inside.
  std::string swapped = std::string(kEd25519).replace(0, 11, "ssh-rsa");
  expect_refused(swapped, "does not match");
  // Cut short, or with bytes after the key.
  std::string ed = std::string(kEd25519);
  std::string blob = *base64url_decode([&] {
    std::string b = ed.substr(12, ed.find(' ', 12) - 12);
    for (char& c : b) {
      if (c == '+') c = '-';
      if (c == '/') c = '_';
    }
    return b;
  }());
  expect_refused("ssh-ed25519 " + base64(blob.substr(0, blob.size() - 3)), "truncated");
  expect_refused("ssh-ed25519 " + base64(blob + "xx"), "truncated");
  expect_refused(sk_ed25519("web:"), "truncated");
  expect_refused(std::string(kEd25519) + "\x01", "control character");
  expect_refused("ssh-ed25519-cert-v01@openssh.com AAAA", "certificate");
}

}  // namespace
}  // namespace da::identity
