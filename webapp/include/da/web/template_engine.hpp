// Server-side HTML from the Mustache templates embedded in the binary: the host's
// (webapp/templates) and every module folder's templates/ (cmake/Templates.cmake).
// Every {{value}} is HTML-escaped; only {{{content}}} of the layout takes trusted HTML.
// Sections ({{#x}}) are skipped for false, null, empty lists and empty strings.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace da::web {

class TemplateEngine {
 public:
  // Parses every embedded template; throws Error(kInternal) naming a template that does not parse.
  TemplateEngine();
  ~TemplateEngine();
  TemplateEngine(const TemplateEngine&) = delete;
  TemplateEngine& operator=(const TemplateEngine&) = delete;

  bool has(std::string_view name) const;
  // Renders <name>.mustache with `data` (no partials: pages are wrapped by the layout).
  std::string render(std::string_view name, const nlohmann::json& data) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace da::web
