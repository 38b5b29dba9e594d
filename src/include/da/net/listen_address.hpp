// The address a server listens on, as configured: "address:port", "[v6 address]:port" or
// ":port" (every address).
#pragma once

#include <cstdint>
#include <string>

namespace da::net {

struct ListenAddress {
  std::string host;  // as written; the server checks it is an IP address
  uint16_t port = 0;
};

// Throws Error(kConfig) naming `setting` (e.g. "server.listen") when `listen` is not one of
// the forms above or its port is not 0..65535. An empty host becomes `any_host`.
ListenAddress parse_listen_address(const std::string& listen, const std::string& setting,
                                   const std::string& any_host);

}  // namespace da::net
