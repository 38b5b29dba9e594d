// Portal features (route modules): registered by name, built per portal, and served through
// the host's access guard like the portal's own routes.
#include "da/web/portal_feature.hpp"

#include "portal_fixture.hpp"

#include "da/common/error.hpp"
#include "da/web/portal_host.hpp"

namespace da::web {
namespace {

Request get(const std::string& path) {
  Request request;
  request.method = "GET";
  request.target = request.path = path;
  return request;
}

class AboutFeature : public PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.route("GET", "/about", Access::kPublic, [&portal](Request&, Visitor&) {
      return Response::text(200, "About " + portal.config().instance.name + "\n");
    });
    portal.route("GET", "/api/about/admin", Access::kAdmin, [](Request&, Visitor&) {
      return Response::json(200, {{"ok", true}});
    });
  }
};

TEST(PortalFeatureRegistry, RefusesANameTwiceAndBuildsFeaturesInRegistrationOrder) {
  PortalFeatureRegistry registry;
  registry.add("about", [] { return std::make_unique<AboutFeature>(); });
  registry.add("other", [] { return std::make_unique<AboutFeature>(); });
  EXPECT_THROW(registry.add("about", [] { return std::make_unique<AboutFeature>(); }), Error);
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"about", "other"}));
  EXPECT_EQ(registry.create_all().size(), 2u);
}

class PortalFeatureTest : public PortalFixture {};

TEST_F(PortalFeatureTest, AFeatureFromARegistryIsServedBehindTheHostsAccessGuard) {
  PortalFeatureRegistry features;
  features.add("about", [] { return std::make_unique<AboutFeature>(); });
  Portal portal(config_, plugins_.auth_providers, features);
  Request about = get("/about");
  Response page = portal.handle(about);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "About Test\n");
  EXPECT_EQ(page.header("X-Frame-Options"), "DENY") << "the host's security headers";
  Request admin = get("/api/about/admin");
  EXPECT_EQ(portal.handle(admin).status, 401);
}

TEST_F(PortalFeatureTest, TheHealthRouteComesFromItsOwnFeatureFolder) {
  auto names = plugins_.portal_features.names();
  EXPECT_NE(std::find(names.begin(), names.end(), "health"), names.end());
  EXPECT_NE(call("GET", "/health").status, 404);
  PortalFeatureRegistry none;
  Portal without(config_, plugins_.auth_providers, none);
  Request health = get("/health");
  EXPECT_EQ(without.handle(health).status, 404);
}

}  // namespace
}  // namespace da::web
