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

}  // namespace
}  // namespace da::web
