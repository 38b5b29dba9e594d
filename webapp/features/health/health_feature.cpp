// /health: everyone learns whether the portal is ok; paths, disk figures and sync times are for
// administrators (signed in, or with an admin's API token).
#include <cmath>

#include <sys/statvfs.h>

#include "da/common/time.hpp"
#include "da/module/module_registry.hpp"
#include "da/web/portal_feature.hpp"
#include "da/web/portal_host.hpp"

namespace da::features::health {

namespace {

using Json = nlohmann::json;
using web::PortalHost;
using web::Response;

Json disk_check(const std::filesystem::path& path) {
  struct statvfs stats {};
  if (statvfs(path.c_str(), &stats) != 0)
    return {{"path", path.string()}, {"healthy", false}, {"error", "cannot stat"}};
  double total = static_cast<double>(stats.f_blocks) * stats.f_frsize;
  double free = static_cast<double>(stats.f_bavail) * stats.f_frsize;
  double used_pct = total > 0 ? 100.0 * (total - free) / total : 0;
  return {{"path", path.string()},
          {"used_percent", std::round(used_pct * 10) / 10},
          {"free_gb", std::round(free / 1e8) / 10},
          {"healthy", used_pct < 90.0}};
}

Json state_store_check(PortalHost& portal) {
  try {
    portal.db().check_readable();
    return {{"name", "state_store"}, {"healthy", true}};
  } catch (const std::exception&) {
    return {{"name", "state_store"}, {"healthy", false}, {"error", "unavailable"}};
  }
}

// The details only administrators see, added to `body`.
void add_admin_details(PortalHost& portal, Json& body, Json checks, const Json& disk) {
  auto snapshot = portal.catalog().current(portal.db());
  checks.push_back({{"name", "catalog"},
                    {"healthy", snapshot->problems.empty()},
                    {"problems", snapshot->problems}});
  body["timestamp"] = format_iso8601(now_utc());
  body["checks"] = checks;
  body["disk"] = Json::array({disk});
  body["last_sync"] = snapshot->catalog["last_sync"];
}

Response health(PortalHost& portal, const web::Visitor& visitor) {
  Json checks = Json::array({state_store_check(portal)});
  bool healthy = checks[0]["healthy"].get<bool>();
  Json disk = disk_check(portal.config().paths.data_dir);
  healthy = healthy && disk["healthy"].get<bool>();
  // A refresh of the rsync filters that keeps failing leaves analysts with stale access.
  Json filters = portal.pending_filter_refreshes_json();
  healthy = healthy && filters.empty();
  checks.push_back({{"name", "rsync_filters"}, {"healthy", filters.empty()}, {"pending", filters}});
  Json body = {{"status", healthy ? "ok" : "degraded"}};
  if (visitor.signed_in() && visitor.user->is_admin())
    add_admin_details(portal, body, std::move(checks), disk);
  return Response::json(healthy ? 200 : 503, body);
}

class HealthFeature : public web::PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.route(
        "GET", "/health", web::Access::kPublic,
        [&portal](web::Request&, web::Visitor& visitor) { return health(portal, visitor); });
  }
};

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.portal_features.add("health", [] { return std::make_unique<HealthFeature>(); });
}

}  // namespace da::features::health
