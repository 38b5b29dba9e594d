// Listen addresses as the servers' settings write them.
#include "da/net/listen_address.hpp"

#include <gtest/gtest.h>

#include "da/common/error.hpp"

namespace da::net {
namespace {

TEST(ListenAddress, AcceptsEveryFormAndNamesTheSettingOnErrors) {
  auto plain = parse_listen_address("127.0.0.1:8080", "server.listen", "0.0.0.0");
  EXPECT_EQ(plain.host, "127.0.0.1");
  EXPECT_EQ(plain.port, 8080);
  auto v6 = parse_listen_address("[::1]:0", "server.listen", "0.0.0.0");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 0);
  EXPECT_EQ(parse_listen_address(":8765", "x", "127.0.0.1").host, "127.0.0.1");
  for (const char* bad : {"localhost", "[::1]8080", "host:", "host:http", "host:65536", "h:-1"}) {
    try {
      parse_listen_address(bad, "notifications.ws_listen", "127.0.0.1");
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kConfig);
      EXPECT_EQ(std::string(e.what()).rfind("notifications.ws_listen: ", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace da::net
