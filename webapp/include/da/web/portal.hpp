// The web portal's host: dispatch, the access guard, sessions and CSRF, the security rules every
// response follows (CSP and friends, Origin checks, JSON errors under /api/, HTML error pages
// elsewhere), page rendering in the layout, and mail. Every page and API route comes from a
// module: the sign-in providers (auth/<name>/) and the portal features (webapp/features/<name>/,
// and the features of other modules, such as services/telegram_bot/).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "da/identity/account_provisioner.hpp"
#include "da/identity/session_store.hpp"
#include "da/web/auth_provider.hpp"
#include "da/web/catalog_model.hpp"
#include "da/web/lane.hpp"
#include "da/web/portal_feature.hpp"
#include "da/web/portal_host.hpp"
#include "da/web/router.hpp"
#include "da/web/static_assets.hpp"
#include "da/web/sub_path.hpp"
#include "da/web/template_engine.hpp"

namespace da::mail {
class MailQueue;
}

namespace da::web {

class Portal : public PortalHost {
 public:
  // Adds the routes of `features` (in registration order), then of the available `providers`.
  // `data_sources` serves table discovery on the admin page; `provisioner` creates server
  // accounts when analysts register SSH keys. Either may be null (the feature is then off).
  Portal(const config::InstanceConfig& config, const AuthProviderRegistry& providers,
         const PortalFeatureRegistry& features,
         const sync::DataSourceRegistry* data_sources = nullptr,
         identity::AccountProvisioner* provisioner = nullptr);
  ~Portal() override;

  // The server's request handler.
  Response handle(Request& request);
  // The server's LaneClassifier: static files are answered inline, routes added by
  // route_blocking() on the blocking workers, the rest on the workers.
  Lane lane_of(Request& request) const;
  // Retries every recorded refresh that failed (a background thread does it every 30 s).
  void retry_pending_filter_refreshes();

  // PortalContext (portal_session.cpp, portal_render.cpp, portal_mail_delivery.cpp).
  const config::InstanceConfig& config() const override { return config_; }
  store::SqliteDatabase& db() override;
  const std::string& base_url() const override { return config_.server.base_url; }
  void route(std::string method, std::string pattern, Access access,
             PortalHandler handler) override;
  void route_blocking(std::string method, std::string pattern, Access access,
                      PortalHandler handler) override;
  Response render(const Request& request, const Visitor& visitor, std::string_view page,
                  nlohmann::json data, int status = 200) override;
  Response render_form(const Request& request, const Visitor& visitor, std::string_view page,
                       nlohmann::json data, int status = 200) override;
  Response login_error(const Request& request, const std::string& error, int status) override;
  void add_notice(std::string code, std::string text) override;
  std::string notice_text(std::string_view code) const override;
  std::optional<std::string> sign_in_refusal(std::string_view email) const override;
  Response sign_in(const Request& request, const identity::SignInProfile& profile,
                   const std::string& provider, const std::string& next = {}) override;
  std::string browser_binding(const Request& request, Response& response) override;
  std::string existing_browser_binding(const Request& request) const override;
  std::string anonymous_csrf(const Request& request, Response& response) override;
  void add_bearer_authenticator(BearerAuthenticator authenticator) override;
  identity::RateDecision rate_limit(const std::string& bucket, identity::RateLimit limit) override;
  std::optional<std::string> deliver_link(const LinkMail& mail) override;

  // PortalHost.
  CatalogModel& catalog() override { return catalog_; }
  Response error_page(const Request& request, const Visitor& visitor, int status,
                      const std::string& message) override;
  std::shared_ptr<const SharedContent> render_shared(
      std::string_view page, const std::string& version,
      const std::function<nlohmann::json()>& data) override;
  Response wrap_shared(const Request& request, const Visitor& visitor, const std::string& title,
                       const SharedContent& content) override;
  Response login_page(const Request& request, const std::string& next, const std::string& notice,
                      const std::string& error, int status = 200) override;
  std::string session_cookie(const std::string& value, bool clear) const override;
  const std::string& path_prefix() const override { return sub_path_.prefix(); }
  std::vector<std::string> provider_names() const override;
  const sync::DataSourceRegistry* data_sources() const override { return data_sources_; }
  identity::AccountProvisioner* provisioner() override { return provisioner_; }
  std::optional<std::string> selection_changed(const std::string& username) override;
  nlohmann::json pending_filter_refreshes_json() override;

 private:
  Response dispatch(Request& request);
  Handler guarded(Access access, PortalHandler handler);
  Visitor resolve_visitor(const Request& request);
  // The refusal of a request its route does not allow, or nullopt.
  std::optional<Response> guard(Request& request, Visitor& visitor, Access access);
  // The refusal of a cookie-borne state change from another site or without its CSRF token.
  std::optional<Response> cross_site_refusal(const Request& request, const Visitor& visitor);
  nlohmann::json layout_data(const Request& request, const Visitor& visitor) const;
  void add_security_headers(const Request& request, Response& response) const;
  // gzip for sizeable text answers when the client accepts it (fast level: per request).
  void compress_if_worth_it(const Request& request, Response& response) const;
  void start_mail_queue();
  void start_filter_retries();

  const config::InstanceConfig& config_;
  const sync::DataSourceRegistry* data_sources_;
  identity::AccountProvisioner* provisioner_;
  identity::SessionLimits session_limits_;
  Router router_;
  TemplateEngine templates_;
  StaticAssets assets_;
  CatalogModel catalog_;
  std::vector<std::unique_ptr<AuthProvider>> providers_;  // available ones, in button order
  std::vector<BearerAuthenticator> bearer_authenticators_;
  std::string origin_;  // scheme://host[:port] of base_url
  SubPath sub_path_;    // the path of base_url
  std::mutex shared_pages_mutex_;
  std::map<std::string, std::pair<std::string, std::shared_ptr<const SharedContent>>, std::less<>>
      shared_pages_;
  std::string content_marker_;  // stands for the content while a layout is rendered
  uint64_t serial_;             // tells this portal's per-thread state-store connections apart
  struct Layout {
    std::string prefix, suffix;  // the page around its content
  };
  // The layout for this visitor and page, rendered once per distinct layout data.
  std::shared_ptr<const Layout> layout_around(const Request& request, const Visitor& visitor,
                                              const std::string& title, bool bare);
  // A page whose content is already rendered, in the layout of `visitor`.
  Response wrap(const Request& request, const Visitor& visitor, const std::string& title,
                std::string content, bool bare = false, int status = 200);
  std::unique_ptr<mail::MailQueue> mail_;  // when email.smtp_host is set
  std::jthread filter_retries_;            // when there is a provisioner
  std::mutex layouts_mutex_;
  std::map<std::string, std::shared_ptr<const Layout>, std::less<>> layouts_;
  std::map<std::string, std::string, std::less<>> notices_;  // code -> text, added while built
  // Last: destroyed first, while what their routes and jobs use still exists.
  std::vector<std::unique_ptr<PortalFeature>> features_;
};

}  // namespace da::web
