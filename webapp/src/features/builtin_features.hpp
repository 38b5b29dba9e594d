// The portal's own features (route modules), one file each in this folder.
#pragma once

#include <memory>
#include <vector>

#include "da/web/portal_feature.hpp"

namespace da::web {

// Every built-in feature, in the order their routes are added.
std::vector<std::unique_ptr<PortalFeature>> builtin_features();

std::unique_ptr<PortalFeature> make_sign_in_feature();
std::unique_ptr<PortalFeature> make_dashboard_feature();
std::unique_ptr<PortalFeature> make_catalog_feature();
std::unique_ptr<PortalFeature> make_selection_feature();
std::unique_ptr<PortalFeature> make_ssh_keys_feature();
std::unique_ptr<PortalFeature> make_admin_registry_feature();
std::unique_ptr<PortalFeature> make_pull_feature();
std::unique_ptr<PortalFeature> make_telegram_feature();
std::unique_ptr<PortalFeature> make_notifications_feature();
std::unique_ptr<PortalFeature> make_mail_admin_feature();

}  // namespace da::web
