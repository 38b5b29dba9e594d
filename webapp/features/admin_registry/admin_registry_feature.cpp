// The table registry for administrators: the admin tables page, the registry and its audit log,
// table discovery in the data source (in the background), and registering, updating and
// unregistering tables. Every change rewrites data_description.md and refreshes the filters.
#include <functional>
#include <map>
#include <variant>

#include "da/common/json_fields.hpp"
#include "da/module/module_registry.hpp"
#include "da/registry/table_registry.hpp"
#include "da/store/state_store.hpp"
#include "da/sync/data_source_registry.hpp"
#include "da/web/background_job.hpp"
#include "da/web/portal_feature.hpp"
#include "da/web/portal_host.hpp"
#include "da/web/portal_json.hpp"
#include "da/web/saved_change.hpp"

namespace da::features::admin_registry {

namespace {

using web::Access;
using web::BackgroundJob;
using web::parse_json_body;
using web::PortalHost;
using web::Request;
using web::Response;
using web::saved_version;
using web::Visitor;

using Json = nlohmann::json;

Json optional_json(const std::optional<std::string>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json registered_table_json(const registry::RegisteredTable& entry) {
  const catalog::TableConfig& table = entry.table;
  return {{"id", table.id},
          {"name", table.name},
          {"description", table.description},
          {"primary_key", table.primary_key},
          {"sync_strategy", catalog::to_string(table.strategy)},
          {"folder", optional_json(table.folder)},
          {"dataset", optional_json(table.dataset)},
          {"partition_by", optional_json(table.partition_by)},
          {"incremental_window_days", table.incremental_window_days},
          {"definition", entry.definition},
          {"registered_at", entry.registered_at},
          {"registered_by", entry.registered_by},
          {"updated_at", optional_json(entry.updated_at)},
          {"updated_by", optional_json(entry.updated_by)}};
}

Json audit_entry_json(const registry::AuditEntry& entry) {
  return {{"id", entry.id},
          {"at", entry.at},
          {"actor", entry.actor},
          {"action", entry.action},
          {"table_id", optional_json(entry.table_id)},
          {"before", optional_json(entry.before)},
          {"after", optional_json(entry.after)},
          {"version", entry.version}};
}

Json discovered_table_json(const sync::DiscoveredTable& table, const std::string& bucket,
                           bool registered) {
  Json columns = Json::array();
  for (const auto& column : table.columns)
    columns.push_back(
        {{"name", column.name}, {"type", column.type}, {"description", column.description}});
  return {{"id", table.id},
          {"name", table.name},
          {"description", table.description},
          {"primary_key", table.primary_key},
          {"bucket_id", bucket},
          {"columns", columns},
          {"row_count", table.row_count},
          {"size_bytes", table.size_bytes},
          {"location", table.location},
          {"is_registered", registered}};
}

// The data source's tables grouped by bucket, marked when registered (runs on the job thread,
// with a state-store connection of its own).
Json discover_tables(const config::InstanceConfig& config,
                     const sync::DataSourceRegistry& data_sources) {
  auto source = data_sources.create(config);
  store::StateStore store(config.paths.state_db);
  registry::RegistrySnapshot snapshot = registry::TableRegistry(store.database()).snapshot();
  std::map<std::string, Json> buckets;
  size_t total = 0;
  for (const auto& table : source->discover_tables()) {
    std::string bucket = table.id.substr(0, table.id.rfind('.'));
    if (!buckets.count(bucket))
      buckets[bucket] = {{"bucket_id", bucket}, {"bucket_name", bucket}, {"tables", Json::array()}};
    buckets[bucket]["tables"].push_back(
        discovered_table_json(table, bucket, snapshot.find(table.id) != nullptr));
    ++total;
  }
  Json list = Json::array();
  for (auto& [key, bucket] : buckets)
    list.push_back(std::move(bucket));
  return {{"ok", true}, {"total", total}, {"buckets", list}};
}

// The field changes of a PUT body; the refusal of an id or name change, or of no change.
std::variant<std::vector<registry::FieldChange>, Response> field_changes(const Json& body) {
  std::vector<registry::FieldChange> changes;
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() == "id" || it.key() == "name")
      return Response::json_error(
          400, it.key() + " cannot be changed; unregister and register the table again");
    changes.push_back({it.key(), it.value().is_null()
                                     ? std::nullopt
                                     : std::optional<std::string>(it.value().dump())});
  }
  if (changes.empty()) return Response::json_error(400, "No fields to update");
  return changes;
}

class AdminRegistryFeature : public web::PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.route("GET", "/admin/tables", Access::kAdmin,
                 [&portal](Request& request, Visitor& visitor) {
                   Json filters = portal.pending_filter_refreshes_json();
                   return portal.render(request, visitor, "admin_tables",
                                        {{"title", "Table registry"},
                                         {"can_discover", portal.data_sources() != nullptr},
                                         {"filters_pending", filters},
                                         {"has_filters_pending", !filters.empty()}});
                 });
    add_reading_routes(portal);
    add_discovery_route(portal);
    add_changing_routes(portal);
  }

 private:
  static void add_reading_routes(PortalHost& portal) {
    portal.route("GET", "/api/admin/registry", Access::kAdmin, [&portal](Request&, Visitor&) {
      registry::RegistrySnapshot snapshot = registry::TableRegistry(portal.db()).snapshot();
      Json tables = Json::array();
      for (const auto& entry : snapshot.tables)
        tables.push_back(registered_table_json(entry));
      return Response::json(200, {{"ok", true},
                                  {"version", snapshot.version},
                                  {"folder_mapping", snapshot.folder_mapping},
                                  {"tables", tables}});
    });
    portal.route("GET", "/api/admin/audit", Access::kAdmin, [&portal](Request& request, Visitor&) {
      std::optional<std::string> table = request.query_param("table");
      if (table && table->empty()) table.reset();
      Json entries = Json::array();
      for (const auto& entry : registry::TableRegistry(portal.db()).audit(table, 200))
        entries.push_back(audit_entry_json(entry));
      return Response::json(200, {{"ok", true}, {"entries", entries}});
    });
  }

  void add_discovery_route(PortalHost& portal) {
    portal.route(
        "GET", "/api/admin/discover-tables", Access::kAdmin,
        [this, &portal](Request& request, Visitor&) {
          if (!portal.data_sources())
            return Response::json_error(503, "Table discovery is not available");
          bool refresh = request.query_param("refresh").value_or("") == "1";
          auto state = discovery_.poll_or_start(
              [&portal] { return discover_tables(portal.config(), *portal.data_sources()); },
              std::chrono::seconds(60), refresh);
          if (state.status == BackgroundJob::Status::kRunning)
            return Response::json(202, {{"ok", true}, {"status", "running"}});
          if (state.status == BackgroundJob::Status::kFailed)
            return Response::json_error(502, "Discovery failed: " + state.error);
          return Response::json(200, state.result);
        });
  }

  // A change saved by `change` (returning the registry's new version), then the catalog
  // rewritten and every analyst's filter refreshed.
  static Response registry_change(PortalHost& portal,
                                  const std::function<int64_t(registry::TableRegistry&)>& change) {
    registry::TableRegistry registry(portal.db());
    int64_t new_version = change(registry);
    registry::write_data_description(registry.snapshot(), portal.config().paths.docs_dir);
    return saved_version(new_version, portal.selection_changed(""));
  }

  static void add_changing_routes(PortalHost& portal) {
    portal.route_blocking(
        "POST", "/api/admin/register-table", Access::kAdmin,
        [&portal](Request& request, Visitor& visitor) {
          Json body = parse_json_body(request);
          std::optional<int64_t> version = JsonFields(body).optional_integer("version");
          body.erase("version");
          return registry_change(portal, [&](registry::TableRegistry& registry) {
            return registry.register_table(body.dump(), "POST /api/admin/register-table",
                                           visitor.user->email, version);
          });
        });
    portal.route_blocking(
        "PUT", "/api/admin/registry/{table_id...}", Access::kAdmin,
        [&portal](Request& request, Visitor& visitor) {
          Json body = parse_json_body(request);
          std::optional<int64_t> version = JsonFields(body).optional_integer("version");
          body.erase("version");
          auto changes = field_changes(body);
          if (auto* refused = std::get_if<Response>(&changes)) return std::move(*refused);
          return registry_change(portal, [&](registry::TableRegistry& registry) {
            return registry.update_table(request.param("table_id"),
                                         std::get<std::vector<registry::FieldChange>>(changes),
                                         visitor.user->email, version);
          });
        });
    portal.route_blocking(
        "DELETE", "/api/admin/registry/{table_id...}", Access::kAdmin,
        [&portal](Request& request, Visitor& visitor) {
          Json body = request.body.empty() ? Json::object() : parse_json_body(request);
          std::optional<int64_t> version = JsonFields(body).optional_integer("version");
          return registry_change(portal, [&](registry::TableRegistry& registry) {
            return registry.unregister_table(request.param("table_id"), visitor.user->email,
                                             version);
          });
        });
  }

  BackgroundJob discovery_;
};

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.portal_features.add("admin_registry",
                               [] { return std::make_unique<AdminRegistryFeature>(); });
}

}  // namespace da::features::admin_registry
