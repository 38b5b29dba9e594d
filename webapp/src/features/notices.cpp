#include "features/notices.hpp"

namespace da::web {

std::string notice_text(const std::string& code) {
  if (code == "logged_out") return "You have been signed out.";
  if (code == "key_saved")
    return "Your SSH key was saved. An administrator creates your server account; you can sync "
           "once it exists.";
  if (code == "account_ready") return "Your SSH key was saved and your server account is ready.";
  if (code == "password_set") return "Your password is set. Sign in with it now.";
  if (code == "link_expired") return "That sign-in link is invalid, expired or was already used.";
  if (code == "telegram_linked") return "Telegram is linked: notifications arrive there now.";
  if (code == "telegram_unlinked") return "Telegram is unlinked.";
  if (code == "telegram_code_invalid")
    return "That code is invalid or expired. Send /start to the bot for a new one.";
  if (code == "telegram_rate_limited")
    return "Too many attempts. Wait a few minutes and try again.";
  return {};
}

}  // namespace da::web
