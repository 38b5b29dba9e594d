// The data catalog: the page every analyst browses, and its JSON (catalog, profiles, metrics).
#include <regex>

#include "da/metrics/metric_view.hpp"
#include "da/module/module_registry.hpp"
#include "da/web/gzip.hpp"
#include "da/web/portal_feature.hpp"
#include "da/web/portal_host.hpp"

namespace da::features::catalog {

namespace {

using web::accepts_gzip;
using web::Access;
using web::CatalogSnapshot;
using web::PortalHost;
using web::Request;
using web::Response;
using web::Visitor;

using Json = nlohmann::json;

// The catalog JSON, gzip-compressed once per snapshot for clients that accept it.
Response catalog_json(const Request& request, const CatalogSnapshot& snapshot) {
  Response response;
  response.set_header("Content-Type", "application/json");
  response.set_header("Vary", "Accept-Encoding");
  if (accepts_gzip(request.header("accept-encoding"))) {
    response.body = snapshot.catalog_json_gzip;
    response.set_header("Content-Encoding", "gzip");
  } else {
    response.body = snapshot.catalog_json;
  }
  return response;
}

// Only metrics already loaded from the metrics folder can be named: no file is opened here.
Response metric_json(const CatalogSnapshot& snapshot, const std::string& category,
                     const std::string& file) {
  static const std::regex kCategory("^[a-z0-9][a-z0-9_-]{0,63}$");
  static const std::regex kFile("^[a-z0-9][a-z0-9_-]{0,127}\\.ya?ml$");
  if (!std::regex_match(category, kCategory) || !std::regex_match(file, kFile))
    return Response::json_error(400, "Invalid metric path");
  std::string path = category + "/" + file;
  for (const metrics::Metric& metric : snapshot.metrics)
    if (metric.file == path) return Response::json(200, metrics::metric_view(metric));
  return Response::json_error(404, "Metric file not found");
}

class CatalogFeature : public web::PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.route("GET", "/catalog", Access::kSignedIn,
                 [&portal](Request& request, Visitor& visitor) {
                   auto snapshot = portal.catalog().current(portal.db());
                   auto content = portal.render_shared("catalog", snapshot->version, [&snapshot] {
                     Json data = snapshot->catalog;
                     data["has_tables"] = !data["categories"].empty();
                     data["has_metrics"] = !data["metrics"]["categories"].empty();
                     return data;
                   });
                   return portal.wrap_shared(request, visitor, "Data Catalog", *content);
                 });
    portal.route("GET", "/api/catalog", Access::kSignedIn, [&portal](Request& request, Visitor&) {
      return catalog_json(request, *portal.catalog().current(portal.db()));
    });
    portal.route("GET", "/api/catalog/profile/{table}", Access::kSignedIn,
                 [&portal](Request& request, Visitor&) {
                   auto snapshot = portal.catalog().current(portal.db());
                   const std::string table = request.param("table");
                   if (snapshot->profiles.empty())
                     return Response::json_error(404, "Profiler data not available yet");
                   if (!snapshot->profiles.contains(table))
                     return Response::json_error(404, "No profile for table '" + table + "'");
                   return Response::json(200, snapshot->profiles[table]);
                 });
    portal.route("GET", "/api/metrics/{category}/{file}", Access::kSignedIn,
                 [&portal](Request& request, Visitor&) {
                   return metric_json(*portal.catalog().current(portal.db()),
                                      request.param("category"), request.param("file"));
                 });
  }
};

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.portal_features.add("catalog", [] { return std::make_unique<CatalogFeature>(); });
}

}  // namespace da::features::catalog
