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
  Portal portal(config_, modules_.auth_providers, features);
  Request about = get("/about");
  Response page = portal.handle(about);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "About Test\n");
  EXPECT_EQ(page.header("X-Frame-Options"), "DENY") << "the host's security headers";
  Request admin = get("/api/about/admin");
  EXPECT_EQ(portal.handle(admin).status, 401);
}

TEST_F(PortalFeatureTest, TheHealthRouteComesFromItsOwnFeatureFolder) {
  auto names = modules_.portal_features.names();
  EXPECT_NE(std::find(names.begin(), names.end(), "health"), names.end());
  EXPECT_NE(call("GET", "/health").status, 404);
  PortalFeatureRegistry none;
  Portal without(config_, modules_.auth_providers, none);
  Request health = get("/health");
  EXPECT_EQ(without.handle(health).status, 404);
}

TEST_F(PortalFeatureTest, TheHostServesNoFeatureOfItsOwn) {
  PortalFeatureRegistry none;
  Portal bare(config_, modules_.auth_providers, none);
  for (const char* path : {"/", "/login", "/dashboard", "/catalog", "/sync-settings",
                           "/admin/tables", "/admin/notifications"}) {
    Request page = get(path);
    EXPECT_EQ(bare.handle(page).status, 404) << path;
  }
  for (const char* path : {"/api/me", "/api/catalog", "/api/pull/manifest", "/api/admin/mail",
                           "/api/telegram/status", "/api/notifications"}) {
    Request api = get(path);
    EXPECT_EQ(bare.handle(api).status, 404) << path;
  }
}

class NoticeFeature : public PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.add_notice("about_saved", "The about page was saved.");
    portal.add_notice("about_saved", "The about page was saved.");
    portal.route("GET", "/about", Access::kPublic, [&portal](Request& request, Visitor&) {
      return Response::text(200, portal.notice_text(request.query_param("notice").value_or("")));
    });
  }
};

class ClashingNoticeFeature : public PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.add_notice("about_saved", "The about page was saved.");
    portal.add_notice("about_saved", "The about page was stored.");
  }
};

TEST_F(PortalFeatureTest, AFeatureAddsTheNoticesItsRedirectsCarry) {
  PortalFeatureRegistry features;
  features.add("about", [] { return std::make_unique<NoticeFeature>(); });
  Portal portal(config_, modules_.auth_providers, features);
  Request saved = get("/about");
  saved.query = {{"notice", "about_saved"}};
  EXPECT_EQ(portal.handle(saved).body, "The about page was saved.");
  Request unknown = get("/about");
  unknown.query = {{"notice", "logged_out"}};
  EXPECT_EQ(portal.handle(unknown).body, "") << "a code no module added shows nothing";
}

TEST_F(PortalFeatureTest, ANoticeAddedAgainWithAnotherTextStopsThePortal) {
  PortalFeatureRegistry features;
  features.add("about", [] { return std::make_unique<ClashingNoticeFeature>(); });
  try {
    Portal portal(config_, modules_.auth_providers, features);
    ADD_FAILURE() << "the portal started";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'The about page was stored.'"), std::string::npos)
        << e.what();
  }
}

TEST_F(PortalFeatureTest, TheLoginPageShowsTheNoticeOfTheModuleThatRedirectedThere) {
  auto signed_out = call("GET", "/login?notice=logged_out");
  EXPECT_NE(signed_out.body.find("You have been signed out."), std::string::npos);
  auto expired = call("GET", "/login?notice=link_expired");
  EXPECT_NE(expired.body.find("That sign-in link is invalid, expired or was already used."),
            std::string::npos);
  auto forged = call("GET", "/login?notice=%3Cb%3Ehi%3C%2Fb%3E");
  EXPECT_EQ(forged.body.find("hi</b>"), std::string::npos);
}

}  // namespace
}  // namespace da::web
