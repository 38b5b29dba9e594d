#include "da/net/trusted_proxies.hpp"

#include <cstring>
#include <optional>

#include <arpa/inet.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::net {

namespace {

using Address = std::array<unsigned char, 16>;

std::optional<Address> parse_ip(std::string_view text) {
  text = trim(text);
  if (text.size() > 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  std::string copy(text);
  Address address{};
  in_addr v4{};
  if (::inet_pton(AF_INET, copy.c_str(), &v4) == 1) {
    address[10] = address[11] = 0xff;
    std::memcpy(address.data() + 12, &v4, 4);
    return address;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, copy.c_str(), &v6) == 1) {
    std::memcpy(address.data(), &v6, 16);
    return address;
  }
  return std::nullopt;
}

bool is_v4_mapped(const Address& address) {
  for (int i = 0; i < 10; ++i)
    if (address[i] != 0) return false;
  return address[10] == 0xff && address[11] == 0xff;
}

std::string format_ip(const Address& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (is_v4_mapped(address))
    ::inet_ntop(AF_INET, address.data() + 12, text, sizeof text);
  else
    ::inet_ntop(AF_INET6, address.data(), text, sizeof text);
  return text;
}

bool in_network(const Address& address, const Address& network, int prefix_bits) {
  int whole = prefix_bits / 8;
  if (std::memcmp(address.data(), network.data(), static_cast<std::size_t>(whole)) != 0)
    return false;
  int rest = prefix_bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (address[whole] & mask) == (network[whole] & mask);
}

}  // namespace

TrustedProxies::TrustedProxies(const std::vector<std::string>& entries,
                               const std::string& setting) {
  for (const std::string& raw : entries) {
    std::string_view entry = trim(raw);
    if (entry == "unix") {
      unix_ = true;
      continue;
    }
    auto slash = entry.find('/');
    auto address = parse_ip(entry.substr(0, slash));
    auto refuse = [&] {
      throw Error(ErrorKind::kConfig,
                  setting + ": '" + std::string(entry) +
                      "' is not an IP address, a network like 10.0.0.0/8, or 'unix'");
    };
    if (!address) refuse();
    bool v4 = entry.substr(0, slash).find(':') == std::string_view::npos;
    int bits = 128;
    if (slash != std::string_view::npos) {
      std::string_view digits = entry.substr(slash + 1);
      if (digits.empty() || digits.size() > 3 ||
          digits.find_first_not_of("0123456789") != std::string_view::npos)
        refuse();
      int prefix = std::stoi(std::string(digits));
      if (prefix > (v4 ? 32 : 128)) refuse();
      bits = v4 ? 96 + prefix : prefix;
    }
    networks_.push_back({*address, bits});
  }
}

bool TrustedProxies::trusts_ip(const Address& address) const {
  for (const Network& network : networks_)
    if (in_network(address, network.address, network.prefix_bits)) return true;
  return false;
}

bool TrustedProxies::trusts(std::string_view peer) const {
  if (peer == "unix") return unix_;
  auto address = parse_ip(peer);
  return address && trusts_ip(*address);
}

std::string TrustedProxies::client_address(std::string_view peer, std::string_view forwarded_for,
                                           std::string_view real_ip) const {
  auto normalized = [](std::string_view text) {
    auto address = parse_ip(text);
    return address ? format_ip(*address) : std::string(text);
  };
  if (!trusts(peer)) return normalized(peer);
  std::optional<Address> closest;  // the nearest hop seen so far, all of them trusted
  if (!trim(forwarded_for).empty()) {
    std::vector<std::string> hops = split(forwarded_for, ',');
    for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
      auto address = parse_ip(*hop);
      if (!address) break;
      closest = address;
      if (!trusts_ip(*address)) return format_ip(*address);
    }
    if (closest) return format_ip(*closest);
  }
  if (auto address = parse_ip(real_ip)) return format_ip(*address);
  return normalized(peer);
}

}  // namespace da::net
