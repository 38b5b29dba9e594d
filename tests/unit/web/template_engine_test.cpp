// The embedded templates as rendered: escaping, and which values open a section.
#include "da/web/template_engine.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace da::web {
namespace {

TEST(TemplateEngine, AnEmptyStringSkipsASectionLikeAMissingValue) {
  TemplateEngine engine;
  std::string empty = engine.render("login", {{"notice", ""}, {"error", ""}});
  EXPECT_EQ(empty.find("alert info"), std::string::npos) << empty;
  EXPECT_EQ(empty.find("alert error"), std::string::npos) << empty;
  std::string shown = engine.render("login", {{"notice", "Signed out"}, {"error", "<b>No</b>"}});
  EXPECT_NE(shown.find("<p class=\"alert info\">Signed out</p>"), std::string::npos) << shown;
  EXPECT_NE(shown.find("&lt;b&gt;No&lt;/b&gt;</p>"), std::string::npos) << shown;
}

TEST(TemplateEngine, EmbedsTheHostsTemplatesAndThoseEachModuleFolderShips) {
  TemplateEngine engine;
  for (const char* host : {"layout", "error", "login"})
    EXPECT_TRUE(engine.has(host)) << host << " (webapp/templates)";
  EXPECT_TRUE(engine.has("dashboard")) << "webapp/features/dashboard/templates";
  EXPECT_TRUE(engine.has("selection")) << "webapp/features/selection/templates";
  EXPECT_TRUE(engine.has("magic_link")) << "auth/email/templates";
  EXPECT_FALSE(engine.has("templates/dashboard")) << "named by file name only";
}

}  // namespace
}  // namespace da::web
