#include "da/mail/email_settings.hpp"

#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/net/ca_file.hpp"

namespace da::mail {

namespace {

void check(const config::InstanceConfig& config, config::Diagnostics& diagnostics) {
  EmailSettings::read(config, diagnostics);
}

// The relay's CA file is an SMTP setting (email.smtp_ca_file); it is also accepted under the
// magic-link settings (auth.email.smtp_ca_file), where the mail it protects is configured.
void read_smtp_ca_file(const config::InstanceConfig& config, const config::NodeReader& email,
                       config::Diagnostics& diagnostics, EmailSettings& out) {
  config::NodeReader in_email = email.child("smtp_ca_file");
  config::NodeReader auth(&config.auth.section, "auth", config.source_file.native(), diagnostics,
                          1);
  config::NodeReader in_auth = auth.child("email").child("smtp_ca_file");
  std::string file = in_email.as_string();
  std::string also = in_auth.as_string();
  if (!file.empty() && !also.empty() && file != also) {
    in_auth.error("differs from email.smtp_ca_file ('" + file + "'); set one of the two");
    return;
  }
  const config::NodeReader& given = file.empty() ? in_auth : in_email;
  if (file.empty()) file = also;
  if (file.empty()) return;
  out.smtp_ca_file = config.resolve(file);
  try {
    net::check_ca_file(out.smtp_ca_file, "the CA file");
  } catch (const Error& e) {
    given.error(e.what());
  }
}

}  // namespace

EmailSettings EmailSettings::read(const config::InstanceConfig& config,
                                  config::Diagnostics& diagnostics) {
  config::NodeReader node = config.section_reader("email", diagnostics);
  node.warn_unknown_keys({"from_address", "from_name", "smtp_host", "smtp_port", "smtp_user",
                          "smtp_password", "smtp_use_tls", "smtp_timeout_seconds", "smtp_ca_file"});
  EmailSettings out;
  out.from_address = node.string("from_address", out.from_address);
  out.from_name = node.string("from_name", out.from_name);
  out.smtp_host = node.string("smtp_host");
  out.smtp_port = static_cast<int>(node.integer("smtp_port", out.smtp_port, 1, 65535));
  out.smtp_user = node.string("smtp_user");
  out.smtp_password = node.string("smtp_password");
  out.smtp_use_tls = node.boolean("smtp_use_tls", out.smtp_use_tls);
  out.smtp_timeout_seconds =
      static_cast<int>(node.integer("smtp_timeout_seconds", out.smtp_timeout_seconds, 1, 600));
  if (!out.smtp_user.empty())
    node.require("smtp_password", "because email.smtp_user is set (SMTP authentication)");
  read_smtp_ca_file(config, node, diagnostics, out);
  log::add_secret(out.smtp_password);
  return out;
}

EmailSettings EmailSettings::from(const config::InstanceConfig& config) {
  return config::read_settings_or_throw(config, &EmailSettings::read);
}

void EmailSettings::claim_section(config::SectionOwners& owners) {
  owners.claim("email", check);
}

}  // namespace da::mail
