// SSH key registration: the analyst pastes a public key (the dashboard's form or the API), the
// portal stores it and asks the provisioner for the server account `da pull --via ssh` uses.
#include "da/common/error.hpp"
#include "da/common/json_fields.hpp"
#include "da/common/log.hpp"
#include "da/identity/ssh_key.hpp"
#include "da/identity/user_store.hpp"
#include "da/module/module_registry.hpp"
#include "da/web/portal_feature.hpp"
#include "da/web/portal_host.hpp"
#include "da/web/portal_json.hpp"

namespace da::features::ssh_keys {

namespace {

using web::Access;
using web::parse_json_body;
using web::PortalHost;
using web::Request;
using web::Response;
using web::Visitor;

// Stores the user's SSH key (normalised; Error(kData) when invalid) and asks the provisioner
// for the server account.
identity::ProvisionResult register_ssh_key(PortalHost& portal, const identity::User& user,
                                           const std::string& pasted) {
  std::string key = identity::normalize_ssh_public_key(pasted);
  identity::UserStore(portal.db()).set_ssh_key(user.id, key);
  if (!portal.provisioner())
    return {false, "Your SSH key was saved. An administrator creates your server account " +
                       user.username + "; you can sync once it exists."};
  try {
    return portal.provisioner()->provision(user, key);
  } catch (const Error& e) {
    log::error("creating the server account of {} failed: {}", user.username, e.what());
    return {false, "Your SSH key was saved, but your server account could not be set up yet (" +
                       std::string(e.what()) +
                       "). An administrator can finish it with da admin add-analyst."};
  }
}

class SshKeysFeature : public web::PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.add_notice("key_saved",
                      "Your SSH key was saved. An administrator creates your server account; you "
                      "can sync once it exists.");
    portal.add_notice("account_ready", "Your SSH key was saved and your server account is ready.");
    portal.route_blocking(
        "POST", "/register", Access::kSignedIn, [&portal](Request& request, Visitor& visitor) {
          try {
            bool ready =
                register_ssh_key(portal, *visitor.user, request.form_value("ssh_key")).ready;
            return Response::redirect(ready ? "/dashboard?notice=account_ready"
                                            : "/dashboard?notice=key_saved");
          } catch (const Error& e) {
            if (e.kind() != ErrorKind::kData) throw;
            return portal.error_page(request, visitor, 422, e.what());
          }
        });
    portal.route_blocking(
        "POST", "/api/ssh-key", Access::kSignedIn, [&portal](Request& request, Visitor& visitor) {
          nlohmann::json body = parse_json_body(request);
          identity::ProvisionResult result =
              register_ssh_key(portal, *visitor.user, JsonFields(body).string_or("ssh_key", ""));
          return Response::json(
              200, {{"ok", true}, {"account_ready", result.ready}, {"message", result.message}});
        });
  }
};

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.portal_features.add("ssh_keys", [] { return std::make_unique<SshKeysFeature>(); });
}

}  // namespace da::features::ssh_keys
