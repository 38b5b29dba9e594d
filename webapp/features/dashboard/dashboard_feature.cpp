// The analyst's own page and account: the dashboard (onboarding, catalog summary, SSH key, last
// pull, desktop and Telegram links) and /api/me.

#include "da/common/time.hpp"
#include "da/distribution/pull_records.hpp"
#include "da/identity/api_token_store.hpp"
#include "da/notify/telegram_links.hpp"
#include "da/notify/telegram_settings.hpp"
#include "da/module/module_registry.hpp"
#include "da/web/portal_feature.hpp"
#include "da/web/portal_host.hpp"

namespace da::features::dashboard {

namespace {

using web::Access;
using web::CatalogSnapshot;
using web::PortalHost;
using web::Request;
using web::Response;
using web::Visitor;

using Json = nlohmann::json;

std::string format_time(std::optional<int64_t> micros) {
  if (!micros) return {};
  std::string iso = format_iso8601(from_epoch_micros(*micros));
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

// What the dashboard shows of the catalog.
Json catalog_summary(const CatalogSnapshot& snapshot) {
  Json categories = Json::array();
  for (const auto& category : snapshot.catalog["categories"])
    categories.push_back({{"label", category["label"]},
                          {"count", category["count"]},
                          {"last_sync_display", category["last_sync_display"]}});
  return {{"stats", snapshot.catalog["stats"]},
          {"last_sync", snapshot.catalog["stats"]["last_updated"]},
          {"categories", categories},
          {"metric_categories", snapshot.catalog["metrics"]["categories"]},
          {"metric_count", snapshot.catalog["metrics"]["count"]}};
}

// What the dashboard shows of the user's setup: key, last pull, linked apps.
Json account_summary(PortalHost& portal, const std::string& telegram_bot,
                     const identity::User& user) {
  const config::InstanceConfig& config = portal.config();
  bool has_key = user.ssh_public_key.has_value();
  auto last_pull = distribution::PullRecords(portal.db()).last_pulled_at(user.id);
  auto telegram_linked_at = notify::TelegramLinks(portal.db()).linked_at(user.id);
  return {{"has_key", has_key},
          {"needs_onboarding", !has_key},
          {"ssh_key_type",
           has_key ? user.ssh_public_key->substr(0, user.ssh_public_key->find(' ')) : ""},
          {"ssh_key_added", format_time(user.ssh_key_added_at)},
          {"last_pull", last_pull ? format_time(last_pull) : std::string("never")},
          {"server_host", config.server.host},
          {"server_hostname", config.server.hostname},
          {"base_url", config.server.base_url},
          {"desktop_linked", identity::ApiTokenStore(portal.db()).has_desktop_link(user.id)},
          {"telegram_enabled", !telegram_bot.empty()},
          {"telegram_bot", telegram_bot},
          {"telegram_linked", telegram_linked_at.has_value()},
          {"telegram_linked_at", format_time(telegram_linked_at)}};
}

class DashboardFeature : public web::PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.route(
        "GET", "/dashboard", Access::kSignedIn,
        [&portal, telegram_bot = notify::TelegramSettings::from(portal.config()).bot_username](
            Request& request, Visitor& visitor) {
          Json data = catalog_summary(*portal.catalog().current(portal.db()));
          data.update(account_summary(portal, telegram_bot, *visitor.user));
          data["title"] = "Dashboard";
          data["notice"] = portal.notice_text(request.query_param("notice").value_or(""));
          return portal.render(request, visitor, "dashboard", std::move(data));
        });
    portal.route("GET", "/api/me", Access::kSignedIn, [&portal](Request&, Visitor& visitor) {
      const identity::User& user = *visitor.user;
      return Response::json(200, {{"email", user.email},
                                  {"name", user.name},
                                  {"username", user.username},
                                  {"roles", user.roles},
                                  {"role_label", user.role_label()},
                                  {"has_ssh_key", user.ssh_public_key.has_value()},
                                  {"providers", portal.provider_names()}});
    });
  }
};

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.portal_features.add("dashboard", [] { return std::make_unique<DashboardFeature>(); });
}

}  // namespace da::features::dashboard
