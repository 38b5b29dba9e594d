// The way in and out: the root redirect, the login page with every provider's button, and
// signing out. The providers' own sign-in routes live in auth/<name>/.
#include "da/identity/session_store.hpp"
#include "da/module/module_registry.hpp"
#include "da/web/portal_feature.hpp"
#include "da/web/portal_host.hpp"

namespace da::features::sign_in {

namespace {

using web::Access;
using web::PortalHost;
using web::Request;
using web::Response;
using web::safe_local_path;
using web::Visitor;

class SignInFeature : public web::PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.add_notice("logged_out", "You have been signed out.");
    portal.route("GET", "/", Access::kPublic, [](Request&, Visitor& visitor) {
      return Response::redirect(visitor.signed_in() ? "/dashboard" : "/login");
    });
    portal.route("GET", "/login", Access::kPublic, [&portal](Request& request, Visitor& visitor) {
      std::string next = safe_local_path(request.query_param("next").value_or(""));
      if (visitor.signed_in()) return Response::redirect(next.empty() ? "/dashboard" : next);
      return portal.login_page(request, next,
                               portal.notice_text(request.query_param("notice").value_or("")), "");
    });
    portal.route("POST", "/logout", Access::kSignedIn, [&portal](Request& request, Visitor&) {
      if (auto id = request.cookie("da_session"))
        identity::SessionStore(portal.db(), {}).revoke(*id);
      Response response = Response::redirect("/login?notice=logged_out");
      response.add_header("Set-Cookie", portal.session_cookie("", true));
      return response;
    });
  }
};

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.portal_features.add("sign_in", [] { return std::make_unique<SignInFeature>(); });
}

}  // namespace da::features::sign_in
