// Which peers may tell a server who the client really is. A reverse proxy (nginx) connects
// from its own address and names the client in X-Forwarded-For or X-Real-IP; anyone else
// could write those headers too, so they count only when the peer is a configured proxy.
// Behind a chain of proxies the client is the right-most address in X-Forwarded-For that is
// not itself a trusted proxy (each proxy appends the address it saw; what lies further left
// was written by the client and proves nothing).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace da::net {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Entries are IP addresses ("127.0.0.1", "::1"), networks in CIDR form ("10.0.0.0/8",
  // "fd00::/8") or "unix" (peers on the server's Unix socket). Throws Error(kConfig) naming
  // `setting` and the entry when one is none of these.
  TrustedProxies(const std::vector<std::string>& entries, const std::string& setting);

  // Whether `peer` ("unix" for a Unix-socket peer, else an IP address) is a trusted proxy.
  bool trusts(std::string_view peer) const;
  // The client's address: `peer` unless it is a trusted proxy, else taken from the
  // X-Forwarded-For hops (right-most untrusted) or, without that header, X-Real-IP. Header
  // values that are not IP addresses are ignored. IPv4-mapped IPv6 comes back as IPv4.
  std::string client_address(std::string_view peer, std::string_view forwarded_for,
                             std::string_view real_ip) const;
  bool empty() const { return networks_.empty() && !unix_; }

 private:
  struct Network {
    std::array<unsigned char, 16> address;  // IPv4 as IPv4-mapped IPv6
    int prefix_bits;
  };
  bool trusts_ip(const std::array<unsigned char, 16>& address) const;

  std::vector<Network> networks_;
  bool unix_ = false;
};

}  // namespace da::net
