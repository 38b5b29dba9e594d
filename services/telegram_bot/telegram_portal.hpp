// Linking Telegram on the portal: the analyst enters the code the bot gave (rate limited: a
// six-digit code space is small), from the dashboard's form or the API; unlinking; the link's
// status. The dashboard shows the link; these routes change it.
#pragma once

#include <memory>

#include "da/web/portal_feature.hpp"

namespace da::services::telegram_bot {

std::unique_ptr<web::PortalFeature> make_telegram_portal_feature();

}  // namespace da::services::telegram_bot
