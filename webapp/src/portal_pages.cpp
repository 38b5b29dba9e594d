// The HTML pages: login, logout, dashboard with onboarding, catalog, sync settings, admin
// tables, and /health.
#include <sys/statvfs.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/common/time.hpp"
#include "da/identity/api_token_store.hpp"
#include "da/identity/session_store.hpp"
#include "da/notify/telegram_links.hpp"
#include "da/notify/telegram_settings.hpp"
#include "da/web/portal.hpp"

namespace da::web {

using Json = nlohmann::json;

namespace {

// Messages shown after a redirect, chosen by code so that no text comes from the URL.
std::string notice_text(const std::string& code) {
  if (code == "logged_out") return "You have been signed out.";
  if (code == "key_saved")
    return "Your SSH key was saved. An administrator creates your server account; you can sync "
           "once it exists.";
  if (code == "account_ready") return "Your SSH key was saved and your server account is ready.";
  if (code == "password_set") return "Your password is set. Sign in with it now.";
  if (code == "link_expired") return "That sign-in link is invalid, expired or was already used.";
  if (code == "telegram_linked") return "Telegram is linked: notifications arrive there now.";
  if (code == "telegram_unlinked") return "Telegram is unlinked.";
  if (code == "telegram_code_invalid")
    return "That code is invalid or expired. Send /start to the bot for a new one.";
  if (code == "telegram_rate_limited")
    return "Too many attempts. Wait a few minutes and try again.";
  return {};
}

std::string format_time(std::optional<int64_t> micros) {
  if (!micros) return {};
  std::string iso = format_iso8601(from_epoch_micros(*micros));
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

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

}  // namespace

void Portal::add_page_routes() {
  route("GET", "/", Access::kPublic, [](Request&, Visitor& visitor) {
    return Response::redirect(visitor.signed_in() ? "/dashboard" : "/login");
  });

  route("GET", "/login", Access::kPublic, [this](Request& request, Visitor& visitor) {
    std::string next = safe_local_path(request.query_param("next").value_or(""));
    if (visitor.signed_in()) return Response::redirect(next.empty() ? "/dashboard" : next);
    return login_page(request, next, notice_text(request.query_param("notice").value_or("")), "");
  });

  route("POST", "/logout", Access::kSignedIn, [this](Request& request, Visitor& visitor) {
    if (auto id = request.cookie("da_session")) identity::SessionStore(db(), {}).revoke(*id);
    (void)visitor;
    Response response = Response::redirect("/login?notice=logged_out");
    response.add_header("Set-Cookie", session_cookie("", true));
    return response;
  });

  route("GET", "/dashboard", Access::kSignedIn, [this](Request& request, Visitor& visitor) {
    auto snapshot = catalog_.current(db());
    const identity::User& user = *visitor.user;
    Json categories = Json::array();
    for (const auto& category : snapshot->catalog["categories"])
      categories.push_back({{"label", category["label"]},
                            {"count", category["count"]},
                            {"last_sync_display", category["last_sync_display"]}});
    bool has_key = user.ssh_public_key.has_value();
    std::optional<int64_t> last_pull;
    {
      auto statement = db().prepare("SELECT pulled_at FROM user_pulls WHERE user_id = ?");
      statement.bind(1, user.id);
      if (statement.step()) last_pull = statement.column_int(0);
    }
    std::optional<int64_t> telegram_linked_at = notify::TelegramLinks(db()).linked_at(user.id);
    const std::string telegram_bot = notify::TelegramSettings::from(config_).bot_username;
    Json data = {{"title", "Dashboard"},
                 {"stats", snapshot->catalog["stats"]},
                 {"last_sync", snapshot->catalog["stats"]["last_updated"]},
                 {"categories", categories},
                 {"metric_categories", snapshot->catalog["metrics"]["categories"]},
                 {"metric_count", snapshot->catalog["metrics"]["count"]},
                 {"has_key", has_key},
                 {"needs_onboarding", !has_key},
                 {"ssh_key_type",
                  has_key ? user.ssh_public_key->substr(0, user.ssh_public_key->find(' ')) : ""},
                 {"ssh_key_added", format_time(user.ssh_key_added_at)},
                 {"last_pull", last_pull ? format_time(last_pull) : std::string("never")},
                 {"server_host", config_.server.host},
                 {"server_hostname", config_.server.hostname},
                 {"base_url", config_.server.base_url},
                 {"desktop_linked", identity::ApiTokenStore(db()).has_desktop_link(user.id)},
                 {"telegram_enabled", !telegram_bot.empty()},
                 {"telegram_bot", telegram_bot},
                 {"telegram_linked", telegram_linked_at.has_value()},
                 {"telegram_linked_at", format_time(telegram_linked_at)},
                 {"notice", notice_text(request.query_param("notice").value_or(""))}};
    return render(request, visitor, "dashboard", std::move(data));
  });

  route_blocking(
      "POST", "/register", Access::kSignedIn, [this](Request& request, Visitor& visitor) {
        try {
          bool ready = register_ssh_key(*visitor.user, request.form_value("ssh_key")).ready;
          return Response::redirect(ready ? "/dashboard?notice=account_ready"
                                          : "/dashboard?notice=key_saved");
        } catch (const Error& e) {
          if (e.kind() != ErrorKind::kData) throw;
          return error_page(request, visitor, 422, e.what());
        }
      });

  route("GET", "/catalog", Access::kSignedIn, [this](Request& request, Visitor& visitor) {
    auto snapshot = catalog_.current(db());
    auto content = render_shared("catalog", snapshot->version, [&snapshot] {
      Json data = snapshot->catalog;
      data["has_tables"] = !data["categories"].empty();
      data["has_metrics"] = !data["metrics"]["categories"].empty();
      return data;
    });
    return wrap_shared(request, visitor, "Data Catalog", *content);
  });

  route("GET", "/sync-settings", Access::kSignedIn, [this](Request& request, Visitor& visitor) {
    auto snapshot = catalog_.current(db());
    Json data = {{"title", "Sync settings"},
                 {"categories", snapshot->catalog["categories"]},
                 {"has_datasets", !config_.datasets.empty()}};
    Json datasets = Json::array();
    for (const auto& [name, option] : config_.datasets)
      datasets.push_back({{"name", name},
                          {"label", option.label.empty() ? name : option.label},
                          {"description", option.description},
                          {"size_hint", option.size_hint},
                          {"requires", option.requires_dataset}});
    data["datasets"] = datasets;
    return render(request, visitor, "sync_settings", std::move(data));
  });

  route("GET", "/admin/tables", Access::kAdmin, [this](Request& request, Visitor& visitor) {
    Json filters = pending_filter_refreshes_json();
    return render(request, visitor, "admin_tables",
                  {{"title", "Table registry"},
                   {"can_discover", data_sources_ != nullptr},
                   {"filters_pending", filters},
                   {"has_filters_pending", !filters.empty()}});
  });

  // Everyone learns whether the portal is ok; paths, disk figures and sync times are for
  // administrators (signed in, or with an admin's API token).
  route("GET", "/health", Access::kPublic, [this](Request&, Visitor& visitor) {
    Json checks = Json::array();
    bool healthy = true;
    try {
      db().prepare("SELECT 1").step();
      checks.push_back({{"name", "state_store"}, {"healthy", true}});
    } catch (const std::exception& e) {
      healthy = false;
      checks.push_back({{"name", "state_store"}, {"healthy", false}, {"error", "unavailable"}});
    }
    Json disk = disk_check(config_.paths.data_dir);
    healthy = healthy && disk["healthy"].get<bool>();
    // A refresh of the rsync filters that keeps failing leaves analysts with stale access.
    Json filters = pending_filter_refreshes_json();
    healthy = healthy && filters.empty();
    checks.push_back(
        {{"name", "rsync_filters"}, {"healthy", filters.empty()}, {"pending", filters}});
    Json body = {{"status", healthy ? "ok" : "degraded"}};
    if (visitor.signed_in() && visitor.user->is_admin()) {
      auto snapshot = catalog_.current(db());
      checks.push_back({{"name", "catalog"},
                        {"healthy", snapshot->problems.empty()},
                        {"problems", snapshot->problems}});
      body["timestamp"] = format_iso8601(now_utc());
      body["checks"] = checks;
      body["disk"] = Json::array({disk});
      body["last_sync"] = snapshot->catalog["last_sync"];
    }
    return Response::json(healthy ? 200 : 503, body);
  });
}

}  // namespace da::web
