// What the portal offers its features (route modules) beyond what sign-in providers get
// (PortalContext): the catalog, error and shared pages, the sub-path, and the refresh of the
// rsync filters after a selection changes.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "da/identity/account_provisioner.hpp"
#include "da/web/catalog_model.hpp"
#include "da/web/gzip.hpp"
#include "da/web/portal_context.hpp"

namespace da::sync {
class DataSourceRegistry;
}

namespace da::web {

// A page body shared by every visitor, with its compressed form.
struct SharedContent {
  std::string html;
  DeflatePiece compressed;
};

class PortalHost : public PortalContext {
 public:
  // The catalog, metrics and profiles as the pages show them (rebuilt when their files change).
  virtual CatalogModel& catalog() = 0;
  // The HTML error page (status, reason and `message`) in the visitor's layout.
  virtual Response error_page(const Request& request, const Visitor& visitor, int status,
                              const std::string& message) = 0;
  // templates/<page> rendered (and deflated) from data() once per `version` and shared by every
  // visitor: for pages that show no per-user data (the catalog), so a hot page is not
  // re-rendered or re-compressed per request.
  virtual std::shared_ptr<const SharedContent> render_shared(
      std::string_view page, const std::string& version,
      const std::function<nlohmann::json()>& data) = 0;
  // Shared content in the layout of `visitor` (the layout is rendered per request).
  virtual Response wrap_shared(const Request& request, const Visitor& visitor,
                               const std::string& title, const SharedContent& content) = 0;
  // The login page: the visible providers' buttons (carrying `next`) and a notice or error.
  virtual Response login_page(const Request& request, const std::string& next,
                              const std::string& notice, const std::string& error,
                              int status = 200) = 0;
  // The Set-Cookie value of the session cookie holding `value`, or clearing it.
  virtual std::string session_cookie(const std::string& value, bool clear) const = 0;
  // The path of base_url ("/tools/da", or ""): what links inside JSON answers start with.
  virtual const std::string& path_prefix() const = 0;
  // The names of the sign-in providers this instance offers, in button order.
  virtual std::vector<std::string> provider_names() const = 0;

  // Table discovery for the admin pages (null when the instance has none).
  virtual const sync::DataSourceRegistry* data_sources() const = 0;
  // Creates server accounts when analysts register SSH keys (null: the feature is off).
  virtual identity::AccountProvisioner* provisioner() = 0;
  // What `username` receives changed ("" for everyone): has the provisioner refresh the
  // rsync filters. A failure is recorded (PendingFilterRefreshes), logged and retried, and
  // comes back as the warning to show with the saved change (which stays saved).
  virtual std::optional<std::string> selection_changed(const std::string& username) = 0;
  // The recorded failed refreshes, for the admin pages and the health check.
  virtual nlohmann::json pending_filter_refreshes_json() = 0;
};

}  // namespace da::web
