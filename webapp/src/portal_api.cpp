// The JSON API: what the pages show and change, for the browser's scripts, the CLI and
// analysts' tools (session cookie or personal access token).
#include <regex>

#include "portal_json.hpp"

#include "da/common/error.hpp"
#include "da/common/json_fields.hpp"
#include "da/common/strings.hpp"
#include "da/common/time.hpp"
#include "da/distribution/selection_store.hpp"
#include "da/metrics/metric_view.hpp"
#include "da/registry/table_registry.hpp"
#include "da/store/state_store.hpp"
#include "da/sync/data_source_registry.hpp"
#include "da/web/gzip.hpp"
#include "da/web/portal.hpp"

namespace da::web {

using Json = nlohmann::json;

namespace {

Json updated_at_json(const distribution::StoredSelection& stored) {
  return stored.updated_at ? Json(format_iso8601(from_epoch_micros(*stored.updated_at)))
                           : Json(nullptr);
}

bool enabled(const std::map<std::string, bool>& flags, const std::string& key) {
  auto found = flags.find(key);
  return found != flags.end() && found->second;
}

std::optional<int64_t> body_version(const Json& body) {
  return JsonFields(body).optional_integer("version");
}

// The answer to a saved change, with the warning of a filter refresh that failed.
Response saved(const std::string& message, const std::optional<std::string>& warning) {
  Json body = {{"ok", true}, {"message", warning.value_or(message)}};
  body["filters_refreshed"] = !warning.has_value();
  if (warning) body["warning"] = *warning;
  return Response::json(200, body);
}

Response saved_version(int64_t version, const std::optional<std::string>& warning) {
  Json body = {{"ok", true}, {"version", version}, {"filters_refreshed", !warning.has_value()}};
  if (warning) body["warning"] = *warning;
  return Response::json(200, body);
}

Json registered_table_json(const registry::RegisteredTable& entry) {
  const catalog::TableConfig& table = entry.table;
  return {{"id", table.id},
          {"name", table.name},
          {"description", table.description},
          {"primary_key", table.primary_key},
          {"sync_strategy", catalog::to_string(table.strategy)},
          {"folder", table.folder ? Json(*table.folder) : Json(nullptr)},
          {"dataset", table.dataset ? Json(*table.dataset) : Json(nullptr)},
          {"partition_by", table.partition_by ? Json(*table.partition_by) : Json(nullptr)},
          {"incremental_window_days", table.incremental_window_days},
          {"definition", entry.definition},
          {"registered_at", entry.registered_at},
          {"registered_by", entry.registered_by},
          {"updated_at", entry.updated_at ? Json(*entry.updated_at) : Json(nullptr)},
          {"updated_by", entry.updated_by ? Json(*entry.updated_by) : Json(nullptr)}};
}

}  // namespace

nlohmann::json Portal::discover_tables() {
  auto source = data_sources_->create(config_);
  store::StateStore store(config_.paths.state_db);
  registry::RegistrySnapshot snapshot = registry::TableRegistry(store.database()).snapshot();
  std::map<std::string, Json> buckets;
  size_t total = 0;
  for (const auto& table : source->discover_tables()) {
    std::string bucket = table.id.substr(0, table.id.rfind('.'));
    Json columns = Json::array();
    for (const auto& column : table.columns)
      columns.push_back(
          {{"name", column.name}, {"type", column.type}, {"description", column.description}});
    if (!buckets.count(bucket))
      buckets[bucket] = {{"bucket_id", bucket}, {"bucket_name", bucket}, {"tables", Json::array()}};
    buckets[bucket]["tables"].push_back({{"id", table.id},
                                         {"name", table.name},
                                         {"description", table.description},
                                         {"primary_key", table.primary_key},
                                         {"bucket_id", bucket},
                                         {"columns", columns},
                                         {"row_count", table.row_count},
                                         {"size_bytes", table.size_bytes},
                                         {"location", table.location},
                                         {"is_registered", snapshot.find(table.id) != nullptr}});
    ++total;
  }
  Json list = Json::array();
  for (auto& [key, bucket] : buckets)
    list.push_back(std::move(bucket));
  return {{"ok", true}, {"total", total}, {"buckets", list}};
}

void Portal::add_api_routes() {
  route("GET", "/api/me", Access::kSignedIn, [this](Request&, Visitor& visitor) {
    const identity::User& user = *visitor.user;
    return Response::json(200, {{"email", user.email},
                                {"name", user.name},
                                {"username", user.username},
                                {"roles", user.roles},
                                {"role_label", user.role_label()},
                                {"has_ssh_key", user.ssh_public_key.has_value()},
                                {"providers", provider_names()}});
  });

  route("GET", "/api/catalog", Access::kSignedIn, [this](Request& request, Visitor&) {
    auto snapshot = catalog_.current(db());
    Response response;
    response.set_header("Content-Type", "application/json");
    response.set_header("Vary", "Accept-Encoding");
    if (accepts_gzip(request.header("accept-encoding"))) {
      response.body = snapshot->catalog_json_gzip;
      response.set_header("Content-Encoding", "gzip");
    } else {
      response.body = snapshot->catalog_json;
    }
    return response;
  });

  route("GET", "/api/catalog/profile/{table}", Access::kSignedIn,
        [this](Request& request, Visitor&) {
          auto snapshot = catalog_.current(db());
          const std::string table = request.param("table");
          if (snapshot->profiles.empty())
            return Response::json_error(404, "Profiler data not available yet");
          if (!snapshot->profiles.contains(table))
            return Response::json_error(404, "No profile for table '" + table + "'");
          return Response::json(200, snapshot->profiles[table]);
        });

  route("GET", "/api/metrics/{category}/{file}", Access::kSignedIn,
        [this](Request& request, Visitor&) {
          static const std::regex kCategory("^[a-z0-9][a-z0-9_-]{0,63}$");
          static const std::regex kFile("^[a-z0-9][a-z0-9_-]{0,127}\\.ya?ml$");
          std::string category = request.param("category"), file = request.param("file");
          if (!std::regex_match(category, kCategory) || !std::regex_match(file, kFile))
            return Response::json_error(400, "Invalid metric path");
          // Only metrics already loaded from the metrics folder can be named: no file is opened
          // here.
          auto snapshot = catalog_.current(db());
          std::string path = category + "/" + file;
          for (const metrics::Metric& metric : snapshot->metrics)
            if (metric.file == path) return Response::json(200, metrics::metric_view(metric));
          return Response::json_error(404, "Metric file not found");
        });

  route("GET", "/api/sync-settings", Access::kSignedIn, [this](Request&, Visitor& visitor) {
    distribution::StoredSelection stored =
        distribution::SelectionStore(db()).load(visitor.user->id);
    Json datasets = Json::object(), metadata = Json::object();
    for (const auto& [name, option] : config_.datasets) {
      datasets[name] = enabled(stored.selection.datasets, name);
      metadata[name] = {{"label", option.label},
                        {"description", option.description},
                        {"size_hint", option.size_hint},
                        {"requires", option.requires_dataset}};
    }
    return Response::json(200, {{"datasets", datasets},
                                {"metadata", metadata},
                                {"updated_at", updated_at_json(stored)}});
  });

  route_blocking(
      "POST", "/api/sync-settings", Access::kSignedIn, [this](Request& request, Visitor& visitor) {
        Json body = parse_json_body(request);
        if (!body.contains("datasets") || !body["datasets"].is_object() || body["datasets"].empty())
          return Response::json_error(400, "Missing datasets field");
        distribution::SelectionStore selections(db());
        distribution::SyncSelection selection = selections.load(visitor.user->id).selection;
        for (auto it = body["datasets"].begin(); it != body["datasets"].end(); ++it) {
          bool known = std::any_of(config_.datasets.begin(), config_.datasets.end(),
                                   [&](const auto& entry) { return entry.first == it.key(); });
          if (!known) return Response::json_error(400, "Unknown dataset: " + it.key());
          if (!it.value().is_boolean())
            return Response::json_error(400, "datasets." + it.key() + ": expected true or false");
          selection.datasets[it.key()] = it.value().get<bool>();
        }
        for (const auto& [name, option] : config_.datasets) {
          if (!enabled(selection.datasets, name) || option.requires_dataset.empty()) continue;
          if (!enabled(selection.datasets, option.requires_dataset))
            return Response::json_error(
                400, name + " requires " + option.requires_dataset + " to be enabled");
        }
        selections.save(visitor.user->id, selection);
        return saved("Settings saved. Changes take effect on next sync.",
                     selection_changed(visitor.user->username));
      });

  route("GET", "/api/table-subscriptions", Access::kSignedIn, [this](Request&, Visitor& visitor) {
    distribution::StoredSelection stored =
        distribution::SelectionStore(db()).load(visitor.user->id);
    return Response::json(200, {{"table_mode", stored.selection.explicit_tables ? "explicit" : "all"},
                                {"tables", stored.selection.tables},
                                {"updated_at", updated_at_json(stored)}});
  });

  route_blocking("POST", "/api/table-subscriptions", Access::kSignedIn,
                 [this](Request& request, Visitor& visitor) {
                   Json body = parse_json_body(request);
                   std::string mode = JsonFields(body).string_or("table_mode", "");
                   if (mode != "all" && mode != "explicit")
                     return Response::json_error(400, "table_mode must be 'all' or 'explicit'");
                   if (!body.contains("tables") || !body["tables"].is_object())
                     return Response::json_error(
                         400, "tables: expected an object of table name to true/false");
                   auto snapshot = catalog_.current(db());
                   for (auto it = body["tables"].begin(); it != body["tables"].end(); ++it) {
                     if (!it.value().is_boolean())
                       return Response::json_error(
                           400, "tables." + it.key() + ": expected true or false");
                     if (!snapshot->table_names.count(it.key()))
                       return Response::json_error(400, "Unknown table: " + it.key());
                   }
                   distribution::SelectionStore selections(db());
                   distribution::SyncSelection selection =
                       selections.load(visitor.user->id).selection;
                   selection.explicit_tables = mode == "explicit";
                   selection.tables = body["tables"].get<std::map<std::string, bool>>();
                   selections.save(visitor.user->id, selection);
                   return saved("Table subscriptions saved. Changes take effect on next sync.",
                                selection_changed(visitor.user->username));
                 });

  route_blocking(
      "POST", "/api/ssh-key", Access::kSignedIn, [this](Request& request, Visitor& visitor) {
        Json body = parse_json_body(request);
        identity::ProvisionResult result =
            register_ssh_key(*visitor.user, JsonFields(body).string_or("ssh_key", ""));
        return Response::json(
            200, {{"ok", true}, {"account_ready", result.ready}, {"message", result.message}});
      });

  route("GET", "/api/admin/registry", Access::kAdmin, [this](Request&, Visitor&) {
    registry::RegistrySnapshot snapshot = registry::TableRegistry(db()).snapshot();
    Json tables = Json::array();
    for (const auto& entry : snapshot.tables)
      tables.push_back(registered_table_json(entry));
    return Response::json(200, {{"ok", true},
                                {"version", snapshot.version},
                                {"folder_mapping", snapshot.folder_mapping},
                                {"tables", tables}});
  });

  route("GET", "/api/admin/audit", Access::kAdmin, [this](Request& request, Visitor&) {
    std::optional<std::string> table = request.query_param("table");
    if (table && table->empty()) table.reset();
    Json entries = Json::array();
    for (const auto& entry : registry::TableRegistry(db()).audit(table, 200))
      entries.push_back({{"id", entry.id},
                         {"at", entry.at},
                         {"actor", entry.actor},
                         {"action", entry.action},
                         {"table_id", entry.table_id ? Json(*entry.table_id) : Json(nullptr)},
                         {"before", entry.before ? Json(*entry.before) : Json(nullptr)},
                         {"after", entry.after ? Json(*entry.after) : Json(nullptr)},
                         {"version", entry.version}});
    return Response::json(200, {{"ok", true}, {"entries", entries}});
  });

  route("GET", "/api/admin/discover-tables", Access::kAdmin, [this](Request& request, Visitor&) {
    if (!data_sources_) return Response::json_error(503, "Table discovery is not available");
    bool refresh = request.query_param("refresh").value_or("") == "1";
    auto state = discovery_.poll_or_start([this] { return discover_tables(); },
                                          std::chrono::seconds(60), refresh);
    if (state.status == BackgroundJob::Status::kRunning)
      return Response::json(202, {{"ok", true}, {"status", "running"}});
    if (state.status == BackgroundJob::Status::kFailed)
      return Response::json_error(502, "Discovery failed: " + state.error);
    return Response::json(200, state.result);
  });

  route_blocking("POST", "/api/admin/register-table", Access::kAdmin,
                 [this](Request& request, Visitor& visitor) {
                   Json body = parse_json_body(request);
                   std::optional<int64_t> version = body_version(body);
                   body.erase("version");
                   registry::TableRegistry registry(db());
                   int64_t new_version = registry.register_table(
                       body.dump(), "POST /api/admin/register-table", visitor.user->email, version);
                   registry::write_data_description(registry.snapshot(), config_.paths.docs_dir);
                   return saved_version(new_version, selection_changed(""));
                 });

  route_blocking(
      "PUT", "/api/admin/registry/{table_id...}", Access::kAdmin,
      [this](Request& request, Visitor& visitor) {
        Json body = parse_json_body(request);
        std::optional<int64_t> version = body_version(body);
        body.erase("version");
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
        registry::TableRegistry registry(db());
        int64_t new_version =
            registry.update_table(request.param("table_id"), changes, visitor.user->email, version);
        registry::write_data_description(registry.snapshot(), config_.paths.docs_dir);
        return saved_version(new_version, selection_changed(""));
      });

  route_blocking("DELETE", "/api/admin/registry/{table_id...}", Access::kAdmin,
                 [this](Request& request, Visitor& visitor) {
                   Json body = request.body.empty() ? Json::object() : parse_json_body(request);
                   registry::TableRegistry registry(db());
                   int64_t new_version = registry.unregister_table(
                       request.param("table_id"), visitor.user->email, body_version(body));
                   registry::write_data_description(registry.snapshot(), config_.paths.docs_dir);
                   return saved_version(new_version, selection_changed(""));
                 });
}

}  // namespace da::web
