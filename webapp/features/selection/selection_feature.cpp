// What an analyst receives: the selection page, the datasets they enable and the tables
// they subscribe to. Every saved change refreshes their rsync filter.
#include <algorithm>
#include <map>

#include "da/common/json_fields.hpp"
#include "da/common/time.hpp"
#include "da/distribution/selection_store.hpp"
#include "da/module/module_registry.hpp"
#include "da/web/portal_feature.hpp"
#include "da/web/portal_host.hpp"
#include "da/web/portal_json.hpp"
#include "da/web/saved_change.hpp"

namespace da::features::selection {

namespace {

using web::Access;
using web::parse_json_body;
using web::PortalHost;
using web::Request;
using web::Response;
using web::saved;
using web::Visitor;

using Json = nlohmann::json;

Json updated_at_json(const distribution::StoredSelection& stored) {
  return stored.updated_at ? Json(format_iso8601(from_epoch_micros(*stored.updated_at)))
                           : Json(nullptr);
}

bool enabled(const std::map<std::string, bool>& flags, const std::string& key) {
  auto found = flags.find(key);
  return found != flags.end() && found->second;
}

Response settings_page(PortalHost& portal, const Request& request, const Visitor& visitor) {
  const config::InstanceConfig& config = portal.config();
  auto snapshot = portal.catalog().current(portal.db());
  Json datasets = Json::array();
  for (const auto& [name, option] : config.datasets)
    datasets.push_back({{"name", name},
                        {"label", option.label.empty() ? name : option.label},
                        {"description", option.description},
                        {"size_hint", option.size_hint},
                        {"requires", option.requires_dataset}});
  return portal.render(request, visitor, "selection",
                       {{"title", "Your selection"},
                        {"categories", snapshot->catalog["categories"]},
                        {"has_datasets", !config.datasets.empty()},
                        {"datasets", datasets}});
}

Response datasets_json(PortalHost& portal, const identity::User& user) {
  distribution::StoredSelection stored = distribution::SelectionStore(portal.db()).load(user.id);
  Json datasets = Json::object(), metadata = Json::object();
  for (const auto& [name, option] : portal.config().datasets) {
    datasets[name] = enabled(stored.selection.datasets, name);
    metadata[name] = {{"label", option.label},
                      {"description", option.description},
                      {"size_hint", option.size_hint},
                      {"requires", option.requires_dataset}};
  }
  return Response::json(
      200,
      {{"datasets", datasets}, {"metadata", metadata}, {"updated_at", updated_at_json(stored)}});
}

// Applies the `datasets` of a request body to `selection`; the refusal of an invalid change.
std::optional<Response> apply_datasets(const config::InstanceConfig& config, const Json& body,
                                       distribution::Selection& selection) {
  if (!body.contains("datasets") || !body["datasets"].is_object() || body["datasets"].empty())
    return Response::json_error(400, "Missing datasets field");
  for (const auto& [key, value] : body["datasets"].items()) {
    bool known = std::any_of(config.datasets.begin(), config.datasets.end(),
                             [&key](const auto& entry) { return entry.first == key; });
    if (!known) return Response::json_error(400, "Unknown dataset: " + key);
    if (!value.is_boolean())
      return Response::json_error(400, "datasets." + key + ": expected true or false");
    selection.datasets[key] = value.get<bool>();
  }
  for (const auto& [name, option] : config.datasets) {
    if (!enabled(selection.datasets, name) || option.requires_dataset.empty()) continue;
    if (!enabled(selection.datasets, option.requires_dataset))
      return Response::json_error(400,
                                  name + " requires " + option.requires_dataset + " to be enabled");
  }
  return std::nullopt;
}

Response save_datasets(PortalHost& portal, const Request& request, const identity::User& user) {
  Json body = parse_json_body(request);
  distribution::SelectionStore selections(portal.db());
  distribution::Selection selection = selections.load(user.id).selection;
  if (auto refused = apply_datasets(portal.config(), body, selection)) return std::move(*refused);
  selections.save(user.id, selection);
  return saved("Settings saved. Changes take effect on next sync.",
               portal.selection_changed(user.username));
}

Response subscriptions_json(PortalHost& portal, const identity::User& user) {
  distribution::StoredSelection stored = distribution::SelectionStore(portal.db()).load(user.id);
  return Response::json(200, {{"table_mode", stored.selection.explicit_tables ? "explicit" : "all"},
                              {"tables", stored.selection.tables},
                              {"updated_at", updated_at_json(stored)}});
}

Response save_subscriptions(PortalHost& portal, const Request& request,
                            const identity::User& user) {
  Json body = parse_json_body(request);
  std::string mode = JsonFields(body).string_or("table_mode", "");
  if (mode != "all" && mode != "explicit")
    return Response::json_error(400, "table_mode must be 'all' or 'explicit'");
  if (!body.contains("tables") || !body["tables"].is_object())
    return Response::json_error(400, "tables: expected an object of table name to true/false");
  auto snapshot = portal.catalog().current(portal.db());
  for (const auto& [name, subscribed] : body["tables"].items()) {
    if (!subscribed.is_boolean())
      return Response::json_error(400, "tables." + name + ": expected true or false");
    if (!snapshot->table_names.count(name))
      return Response::json_error(400, "Unknown table: " + name);
  }
  distribution::SelectionStore selections(portal.db());
  distribution::Selection selection = selections.load(user.id).selection;
  selection.explicit_tables = mode == "explicit";
  selection.tables = body["tables"].get<std::map<std::string, bool>>();
  selections.save(user.id, selection);
  return saved("Table subscriptions saved. Changes take effect on next sync.",
               portal.selection_changed(user.username));
}

class SelectionFeature : public web::PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.route("GET", "/selection", Access::kSignedIn,
                 [&portal](Request& request, Visitor& visitor) {
                   return settings_page(portal, request, visitor);
                 });
    // The page's name until 0.1; bookmarks keep working.
    portal.route("GET", "/sync-settings", Access::kPublic, [](Request& request, Visitor&) {
      size_t query = request.target.find('?');
      return Response::redirect(
          "/selection" + (query == std::string::npos ? "" : request.target.substr(query)), 308);
    });
    for (const char* api : {"/api/selection", "/api/sync-settings"}) {
      portal.route(
          "GET", api, Access::kSignedIn,
          [&portal](Request&, Visitor& visitor) { return datasets_json(portal, *visitor.user); });
      portal.route_blocking("POST", api, Access::kSignedIn,
                            [&portal](Request& request, Visitor& visitor) {
                              return save_datasets(portal, request, *visitor.user);
                            });
    }
    portal.route("GET", "/api/table-subscriptions", Access::kSignedIn,
                 [&portal](Request&, Visitor& visitor) {
                   return subscriptions_json(portal, *visitor.user);
                 });
    portal.route_blocking("POST", "/api/table-subscriptions", Access::kSignedIn,
                          [&portal](Request& request, Visitor& visitor) {
                            return save_subscriptions(portal, request, *visitor.user);
                          });
  }
};

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.portal_features.add("selection", [] { return std::make_unique<SelectionFeature>(); });
}

}  // namespace da::features::selection
