#include "da/identity/ssh_key.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::identity {

namespace {

constexpr std::size_t kMinRsaBits = 2048;
constexpr std::size_t kMaxKeyLength = 8192;

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

// The SSH wire format of a public key (RFC 4253 §6.6): length-prefixed strings.
class WireReader {
 public:
  explicit WireReader(const std::string& blob) : blob_(blob) {}

  std::string string() {
    if (blob_.size() - offset_ < 4) malformed();
    uint32_t length = (static_cast<uint32_t>(static_cast<uint8_t>(blob_[offset_])) << 24) |
                      (static_cast<uint32_t>(static_cast<uint8_t>(blob_[offset_ + 1])) << 16) |
                      (static_cast<uint32_t>(static_cast<uint8_t>(blob_[offset_ + 2])) << 8) |
                      static_cast<uint32_t>(static_cast<uint8_t>(blob_[offset_ + 3]));
    offset_ += 4;
    if (length > blob_.size() - offset_) malformed();
    std::string value = blob_.substr(offset_, length);
    offset_ += length;
    return value;
  }
  void expect_end() const {
    if (offset_ != blob_.size()) malformed();
  }
  [[noreturn]] static void malformed() {
    reject("Invalid SSH key format: the key data is truncated or damaged; copy the whole line "
           "of the .pub file");
  }

 private:
  const std::string& blob_;
  std::size_t offset_ = 0;
};

// Bits of an mpint (big-endian, possibly with a leading zero byte).
std::size_t mpint_bits(const std::string& value) {
  std::size_t start = value.find_first_not_of('\0');
  if (start == std::string::npos) return 0;
  auto top = static_cast<uint8_t>(value[start]);
  std::size_t bits = (value.size() - start - 1) * 8;
  while (top) {
    ++bits;
    top >>= 1;
  }
  return bits;
}

void check_ec_point(const std::string& point, std::size_t coordinate_bytes) {
  if (point.size() != 1 + 2 * coordinate_bytes || point[0] != '\x04') WireReader::malformed();
}

std::size_t curve_bytes(const std::string& curve) {
  if (curve == "nistp256") return 32;
  if (curve == "nistp384") return 48;
  if (curve == "nistp521") return 66;
  WireReader::malformed();
}

// Checks that `blob` is a well-formed public key of `type`.
void check_structure(const std::string& type, const std::string& blob) {
  WireReader reader(blob);
  if (reader.string() != type)
    reject("Invalid SSH key format: the key data does not match the key type " + type);
  if (type == "ssh-ed25519") {
    if (reader.string().size() != 32) WireReader::malformed();
  } else if (type == "ssh-rsa") {
    reader.string();  // the public exponent
    std::size_t bits = mpint_bits(reader.string());
    if (bits < kMinRsaBits)
      reject("This RSA key has " + std::to_string(bits) + " bits; at least " +
             std::to_string(kMinRsaBits) +
             " are required. Create a new key with: ssh-keygen -t ed25519");
  } else if (type.rfind("ecdsa-sha2-", 0) == 0) {
    std::string curve = reader.string();
    if ("ecdsa-sha2-" + curve != type) WireReader::malformed();
    check_ec_point(reader.string(), curve_bytes(curve));
  } else if (type == "sk-ssh-ed25519@openssh.com") {
    if (reader.string().size() != 32) WireReader::malformed();
    if (reader.string().rfind("ssh:", 0) != 0) WireReader::malformed();
  } else if (type == "sk-ecdsa-sha2-nistp256@openssh.com") {
    if (reader.string() != "nistp256") WireReader::malformed();
    check_ec_point(reader.string(), 32);
    if (reader.string().rfind("ssh:", 0) != 0) WireReader::malformed();
  }
  reader.expect_end();
}

constexpr std::array<std::string_view, 7> kKeyTypes = {"ssh-ed25519",
                                                       "ssh-rsa",
                                                       "ecdsa-sha2-nistp256",
                                                       "ecdsa-sha2-nistp384",
                                                       "ecdsa-sha2-nistp521",
                                                       "sk-ssh-ed25519@openssh.com",
                                                       "sk-ecdsa-sha2-nistp256@openssh.com"};

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
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      reject("Invalid SSH key format: it contains a control character");
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) parts.push_back(std::move(current));
  if (parts.empty()) reject("SSH key is required");
  const std::string& type = parts[0];
  if (type == "ssh-dss")
    reject("DSA keys are weak and OpenSSH no longer accepts them: create an ed25519 key with "
           "ssh-keygen -t ed25519 and paste its .pub file");
  if (type.find("-cert-v01@openssh.com") != std::string::npos)
    reject("this is an SSH certificate: paste the plain public key (the .pub file) instead");
  bool known = false;
  for (std::string_view candidate : kKeyTypes)
    known |= type == candidate;
  if (!known)
    reject(
        "Invalid SSH key format: it must start with ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256 "
        "or a FIDO key type (found '" +
        type.substr(0, 40) + "')");
  if (parts.size() < 2)
    reject("Invalid SSH key format: the key data after '" + type + "' is missing");
  if (parts[1].size() < 60) reject("SSH key appears too short");
  auto blob = base64_decode(parts[1]);
  if (!blob) reject("Invalid SSH key format: the key data is not valid base64");
  check_structure(type, *blob);
  std::string key = type + " " + parts[1];
  for (std::size_t i = 2; i < parts.size(); ++i)
    key += " " + parts[i];
  if (key.size() > kMaxKeyLength) reject("SSH key is too long");
  return key;
}

}  // namespace da::identity
