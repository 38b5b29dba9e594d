// The web portal: the routes of every page and API, the sign-in providers the instance
// configures, sessions and the security rules every response follows (CSP and friends,
// CSRF and Origin checks, JSON errors under /api/, HTML error pages elsewhere).
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
#include "da/web/background_job.hpp"
#include "da/web/catalog_model.hpp"
#include "da/web/gzip.hpp"
#include "da/web/lane.hpp"
#include "da/web/portal_context.hpp"
#include "da/web/router.hpp"
#include "da/web/static_assets.hpp"
#include "da/web/sub_path.hpp"
#include "da/web/template_engine.hpp"

namespace da::sync {
class DataSourceRegistry;
}
namespace da::mail {
class MailQueue;
}

namespace da::web {

// A page body shared by every visitor, with its compressed form.
struct SharedContent {
  std::string html;
  DeflatePiece compressed;
};

class Portal : public PortalContext {
 public:
  // `data_sources` serves table discovery on the admin page; `provisioner` creates server
  // accounts when analysts register SSH keys. Either may be null (the feature is then off).
  Portal(const config::InstanceConfig& config, const AuthProviderRegistry& providers,
         const sync::DataSourceRegistry* data_sources = nullptr,
         identity::AccountProvisioner* provisioner = nullptr);
  ~Portal() override;

  // The server's request handler.
  Response handle(Request& request);
  // The server's LaneClassifier: static files are answered inline, routes added by
  // route_blocking() on the blocking workers, the rest on the workers.
  Lane lane_of(Request& request) const;
  // What `username` receives changed ("" for everyone): has the provisioner refresh the
  // rsync filters. A failure is recorded (PendingFilterRefreshes), logged and retried, and
  // comes back as the warning to show with the saved change (which stays saved).
  std::optional<std::string> selection_changed(const std::string& username);
  // Retries every recorded refresh that failed (a background thread does it every 30 s).
  void retry_pending_filter_refreshes();
  // The recorded failed refreshes, for the admin pages and the health check.
  nlohmann::json pending_filter_refreshes_json();
  // The names of the providers this instance offers, in button order.
  std::vector<std::string> provider_names() const;

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
  std::optional<std::string> sign_in_refusal(std::string_view email) const override;
  Response sign_in(const Request& request, const identity::SignInProfile& profile,
                   const std::string& provider, const std::string& next = {}) override;
  std::string browser_binding(const Request& request, Response& response) override;
  std::string existing_browser_binding(const Request& request) const override;
  std::string anonymous_csrf(const Request& request, Response& response) override;
  void add_bearer_authenticator(BearerAuthenticator authenticator) override;
  identity::RateDecision rate_limit(const std::string& bucket, identity::RateLimit limit) override;
  std::optional<std::string> deliver_link(const LinkMail& mail) override;

  // Page and API routes (portal_pages.cpp, portal_api.cpp).
  void add_page_routes();
  void add_api_routes();
  void add_pull_routes();
  void add_notification_routes();
  void add_mail_routes();
  // The newest records of the mail log, for the admin pages.
  nlohmann::json recent_mail_json(int limit);
  struct TelegramOutcome {
    int status;
    std::string message;
  };
  // Spends the code the bot gave `user`, within the rate limits; queues a welcome message.
  TelegramOutcome link_telegram(const identity::User& user, const std::string& code,
                                const std::string& client_ip);

  CatalogModel& catalog() { return catalog_; }
  Visitor resolve_visitor(const Request& request);
  Response error_page(const Request& request, const Visitor& visitor, int status,
                      const std::string& message);
  // A page whose content is already rendered, in the layout of `visitor`.
  Response wrap(const Request& request, const Visitor& visitor, const std::string& title,
                std::string content, bool bare = false, int status = 200);
  // templates/<page> rendered (and deflated) from data() once per `version` and shared by every
  // visitor: for pages that show no per-user data (the catalog), so a hot page is not
  // re-rendered or re-compressed per request.
  std::shared_ptr<const SharedContent> render_shared(std::string_view page,
                                                     const std::string& version,
                                                     const std::function<nlohmann::json()>& data);
  // wrap() for shared content: the layout around it is rendered (and compressed) per request.
  Response wrap_shared(const Request& request, const Visitor& visitor, const std::string& title,
                       const SharedContent& content);
  // The login page: the visible providers' buttons (carrying `next`) and a notice or error.
  Response login_page(const Request& request, const std::string& next, const std::string& notice,
                      const std::string& error, int status = 200);
  std::string session_cookie(const std::string& value, bool clear) const;
  const sync::DataSourceRegistry* data_sources() const { return data_sources_; }
  // Stores the user's SSH key (normalised; Error(kData) when invalid) and asks the
  // provisioner for the server account.
  identity::ProvisionResult register_ssh_key(const identity::User& user, const std::string& pasted);
  // The data source's tables grouped by bucket, marked when registered (runs on discovery_).
  nlohmann::json discover_tables();

 private:
  Response dispatch(Request& request);
  Handler guarded(Access access, PortalHandler handler);
  // The refusal of a request its route does not allow, or nullopt.
  std::optional<Response> guard(Request& request, Visitor& visitor, Access access);
  nlohmann::json layout_data(const Request& request, const Visitor& visitor) const;
  void add_security_headers(const Request& request, Response& response) const;
  // gzip for sizeable text answers when the client accepts it (fast level: per request).
  void compress_if_worth_it(const Request& request, Response& response) const;

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
  BackgroundJob discovery_;
  std::unique_ptr<mail::MailQueue> mail_;  // when email.smtp_host is set
  std::jthread filter_retries_;            // when there is a provisioner
  std::mutex layouts_mutex_;
  std::map<std::string, std::shared_ptr<const Layout>, std::less<>> layouts_;
};

}  // namespace da::web
