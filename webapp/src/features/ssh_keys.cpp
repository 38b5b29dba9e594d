// SSH key registration: the analyst pastes a public key (the dashboard's form or the API), the
// portal stores it and asks the provisioner for the server account `da pull --via ssh` uses.
#include "features/builtin_features.hpp"
#include "portal_json.hpp"

#include "da/common/error.hpp"
#include "da/common/json_fields.hpp"
#include "da/common/log.hpp"
#include "da/identity/ssh_key.hpp"
#include "da/identity/user_store.hpp"
#include "da/web/portal_host.hpp"

namespace da::web {

namespace {

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

class SshKeysFeature : public PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
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

std::unique_ptr<PortalFeature> make_ssh_keys_feature() {
  return std::make_unique<SshKeysFeature>();
}

}  // namespace da::web
