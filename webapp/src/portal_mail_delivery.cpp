// Mail the portal sends for its modules (sign-in and password links): queued and delivered in
// the background, or shown in the browser in dev mode.
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/mail/email_settings.hpp"
#include "da/mail/mail_queue.hpp"
#include "da/web/portal.hpp"

namespace da::web {

namespace {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace

void Portal::start_mail_queue() {
  const mail::EmailSettings email = mail::EmailSettings::from(config_);
  if (!email.smtp_host.empty() && !config_.auth.email_dev_mode) {
    net::SmtpSettings smtp;
    smtp.host = email.smtp_host;
    smtp.port = email.smtp_port;
    smtp.user = email.smtp_user;
    smtp.password = email.smtp_password;
    smtp.use_tls = email.smtp_use_tls;
    smtp.ca_file = email.smtp_ca_file;
    smtp.from_address = email.from_address;
    smtp.from_name = email.from_name;
    smtp.timeout = std::chrono::seconds(email.smtp_timeout_seconds);
    mail::MailQueueOptions options;
    options.state_db = config_.paths.state_db;
    mail_ = std::make_unique<mail::MailQueue>(
        options, [client = net::SmtpClient(smtp)](const net::MailMessage& message) {
          client.send(message);
        });
  }
}

bool can_deliver_sign_in_links(const config::InstanceConfig& config) {
  bool can_deliver =
      !mail::EmailSettings::from(config).smtp_host.empty() || config.auth.email_dev_mode;
  bool has_users = !config.auth.allowed_domains.empty() || !config.auth.allowed_emails.empty();
  return can_deliver && has_users;
}

std::optional<std::string> Portal::deliver_link(const LinkMail& mail) {
  if (config_.auth.email_dev_mode) {
    log::warn("portal: email dev mode: the link for {} is shown in the browser, not mailed",
              mail.to);
    return mail.path;
  }
  if (!mail_)
    throw Error(ErrorKind::kConfig, "email.smtp_host is not configured: no mail can be sent");
  std::string link = config_.server.base_url + mail.path;
  net::MailMessage message;
  message.to = mail.to;
  message.subject = mail.subject;
  message.text_body = mail.intro + "\n\n" + link + "\n\n" + mail.outro + "\n";
  message.html_body = "<p>" + html_escape(mail.intro) + "</p><p><a href=\"" + html_escape(link) +
                      "\">" + html_escape(link) + "</a></p><p>" + html_escape(mail.outro) + "</p>";
  mail_->enqueue(std::move(message), mail.purpose);
  return std::nullopt;
}

}  // namespace da::web
