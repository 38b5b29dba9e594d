#include "da/net/listen_address.hpp"

#include "da/common/error.hpp"

namespace da::net {

ListenAddress parse_listen_address(const std::string& listen, const std::string& setting,
                                   const std::string& any_host) {
  std::string host, port;
  if (!listen.empty() && listen.front() == '[') {
    auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':')
      throw Error(ErrorKind::kConfig, setting + ": '" + listen + "' is not [address]:port");
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos)
      throw Error(ErrorKind::kConfig, setting + ": '" + listen + "' is not address:port");
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535)
    throw Error(ErrorKind::kConfig, setting + ": '" + port + "' is not a port number");
  return {host.empty() ? any_host : host, static_cast<uint16_t>(std::stoi(port))};
}

}  // namespace da::net
