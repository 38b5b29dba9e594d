// instance.yaml's `email` section: the relay the portal's mail queue sends sign-in and
// password links through. Claimed by the modules that mail (the portal's serve command, the
// email and password sign-in methods).
#pragma once

#include <filesystem>
#include <string>

#include "da/config/diagnostics.hpp"
#include "da/config/instance_config.hpp"
#include "da/config/section_owners.hpp"

namespace da::mail {

struct EmailSettings {
  std::string from_address = "noreply@example.com";
  std::string from_name = "AI Data Analyst";
  std::string smtp_host;  // empty: nothing is mailed
  int smtp_port = 587;
  std::string smtp_user;
  std::string smtp_password;  // required when smtp_user is set
  bool smtp_use_tls = true;
  int smtp_timeout_seconds = 15;  // for one delivery attempt, connection included
  // PEM file of further CAs that may sign the relay's certificate (a private CA); empty: the
  // system's only. email.smtp_ca_file, also accepted as auth.email.smtp_ca_file (made
  // absolute against the instance; it must be a readable PEM file).
  std::filesystem::path smtp_ca_file;

  // Reads the section, reporting every problem to `diagnostics`; registers the password as a
  // secret to redact.
  static EmailSettings read(const config::InstanceConfig& config, config::Diagnostics& diagnostics);
  // read(), or Error(kConfig) listing the problems.
  static EmailSettings from(const config::InstanceConfig& config);
  // Claims `email` for read(), for the modules that mail.
  static void claim_section(config::SectionOwners& owners);
};

}  // namespace da::mail
