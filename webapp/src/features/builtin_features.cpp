#include "features/builtin_features.hpp"

namespace da::web {

std::vector<std::unique_ptr<PortalFeature>> builtin_features() {
  std::vector<std::unique_ptr<PortalFeature>> features;
  features.push_back(make_sign_in_feature());
  features.push_back(make_dashboard_feature());
  features.push_back(make_catalog_feature());
  features.push_back(make_selection_feature());
  features.push_back(make_ssh_keys_feature());
  features.push_back(make_admin_registry_feature());
  features.push_back(make_pull_feature());
  features.push_back(make_telegram_feature());
  features.push_back(make_notifications_feature());
  features.push_back(make_mail_admin_feature());
  return features;
}

}  // namespace da::web
