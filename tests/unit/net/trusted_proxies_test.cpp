// Who may name the client: only configured proxies, and only the hops they vouch for.
#include "da/net/trusted_proxies.hpp"

#include <gtest/gtest.h>

#include "support/expect_error.hpp"

namespace da::net {
namespace {

TEST(TrustedProxies, HeadersFromAnUntrustedPeerAreIgnored) {
  TrustedProxies none;
  EXPECT_EQ(none.client_address("127.0.0.1", "203.0.113.9", "203.0.113.9"), "127.0.0.1");
  EXPECT_EQ(none.client_address("unix", "", "203.0.113.9"), "unix");
  TrustedProxies loopback({"127.0.0.1"}, "server.trusted_proxies");
  EXPECT_EQ(loopback.client_address("192.0.2.1", "203.0.113.9", "198.51.100.1"), "192.0.2.1");
}

TEST(TrustedProxies, TheRightMostUntrustedHopIsTheClient) {
  TrustedProxies proxies({"127.0.0.1", "10.0.0.0/8"}, "server.trusted_proxies");
  // The client forged the left-most entry; nginx appended what it saw.
  EXPECT_EQ(proxies.client_address("127.0.0.1", "1.2.3.4, 203.0.113.9", ""), "203.0.113.9");
  EXPECT_EQ(proxies.client_address("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.1.2.3", ""),
            "203.0.113.9");
  EXPECT_EQ(proxies.client_address("127.0.0.1", "", " 198.51.100.7 "), "198.51.100.7");
  EXPECT_EQ(proxies.client_address("127.0.0.1", "not-an-ip", ""), "127.0.0.1");
  EXPECT_EQ(proxies.client_address("127.0.0.1", "junk, 203.0.113.9", ""), "203.0.113.9");
  EXPECT_EQ(proxies.client_address("127.0.0.1", "10.0.0.1, 10.0.0.2", ""), "10.0.0.1");
  EXPECT_EQ(proxies.client_address("127.0.0.1", "", ""), "127.0.0.1");
}

TEST(TrustedProxies, MatchesNetworksUnixAndMappedAddresses) {
  TrustedProxies proxies({"unix", "::1", "192.168.1.0/24", "fd00::/8"}, "server.trusted_proxies");
  EXPECT_TRUE(proxies.trusts("unix"));
  EXPECT_TRUE(proxies.trusts("::1"));
  EXPECT_TRUE(proxies.trusts("192.168.1.200"));
  EXPECT_TRUE(proxies.trusts("::ffff:192.168.1.1"));
  EXPECT_TRUE(proxies.trusts("fd12::1"));
  EXPECT_FALSE(proxies.trusts("192.168.2.1"));
  EXPECT_FALSE(proxies.trusts("127.0.0.1"));
  EXPECT_FALSE(proxies.trusts("fe80::1"));
  EXPECT_EQ(proxies.client_address("unix", "::ffff:203.0.113.5", ""), "203.0.113.5");
  EXPECT_EQ(TrustedProxies().client_address("::ffff:127.0.0.1", "", ""), "127.0.0.1");
}

TEST(TrustedProxies, AnEntryThatIsNoAddressNamesTheSetting) {
  for (const char* bad : {"localhost", "10.0.0.0/33", "10.0.0.0/", "::1/129", "1.2.3.4/x"}) {
    std::string message = testing::thrown_message(ErrorKind::kConfig, [&] {
      TrustedProxies({bad}, "server.trusted_proxies");
    });
    EXPECT_NE(message.find("server.trusted_proxies: '" + std::string(bad) + "'"), std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace da::net
