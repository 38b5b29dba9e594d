// A portal feature: a route module (the catalog, the dashboard, the pull API, ...). Each one
// adds its pages and API routes through PortalHost, as sign-in providers do through
// PortalContext, and keeps whatever state its routes share. A feature lives in a folder of its
// own (webapp/features/<name>/, or the folder of the module it belongs to, such as
// services/telegram_bot/), with its page templates in <folder>/templates/, and registers a
// factory into ModuleRegistry::portal_features: it needs no other file changed.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace da::web {

class PortalHost;

class PortalFeature {
 public:
  virtual ~PortalFeature() = default;
  // Adds the feature's routes; called once, when the portal is built. The host outlives the
  // feature.
  virtual void add_routes(PortalHost& portal) = 0;
};

using PortalFeatureFactory = std::function<std::unique_ptr<PortalFeature>()>;

class PortalFeatureRegistry {
 public:
  // Throws Error(kInternal) when `name` is registered twice.
  void add(std::string name, PortalFeatureFactory factory);
  // A new instance of every feature, in registration (folder name) order.
  std::vector<std::unique_ptr<PortalFeature>> create_all() const;
  std::vector<std::string> names() const;

 private:
  std::vector<std::pair<std::string, PortalFeatureFactory>> factories_;
};

}  // namespace da::web
