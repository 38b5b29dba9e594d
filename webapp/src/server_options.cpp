#include "da/common/log.hpp"
#include "da/web/http_server.hpp"

namespace da::web {

ServerOptions server_options(const config::InstanceConfig& config) {
  const config::ServerConfig& server = config.server;
  ServerOptions options;
  options.listen = server.listen;
  options.workers = server.threads;
  options.blocking_workers = server.blocking_threads;
  options.max_body_bytes = static_cast<std::size_t>(server.max_body_bytes);
  options.access_log = server.access_log;
  options.trusted_proxies = net::TrustedProxies(server.trusted_proxies, "server.trusted_proxies");
  options.max_connections_per_address = server.max_connections_per_address;
  if (options.listen.rfind("unix:", 0) == 0 && !options.trusted_proxies.trusts("unix"))
    log::warn(
        "server.listen is a Unix socket but server.trusted_proxies does not list 'unix': "
        "every client will look like one address (rate limits, connection cap)");
  return options;
}

}  // namespace da::web
