// The typed form of config/instance.yaml's core sections, and every other top-level section as
// written, for the module that claims and reads it (config::SectionOwners). It is parsed once
// (InstanceConfigLoader) and passed by const reference; nothing else reads instance.yaml.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "da/config/diagnostics.hpp"
#include "da/config/node_reader.hpp"
#include "da/config/sync_schedule.hpp"
#include "da/config/yaml_node.hpp"

namespace da::config {

struct InstanceInfo {
  std::string name = "AI Data Analyst";
  std::string subtitle;
  std::string copyright;
};

struct ServerConfig {
  std::string hostname;  // DNS name of the broker, shown in setup instructions
  std::string host;      // its address
  std::string app_dir = "/opt/data-analyst";
  // The portal's canonical URL, used for every link in emails and redirects (never the Host
  // header). Defaults to https://<hostname>; no trailing slash. It may hold a path
  // (https://host/tools/da): the portal then serves everything under that path.
  std::string base_url;
  std::string listen = "127.0.0.1:8080";  // address:port or unix:/path/to.sock
  int threads = 8;                        // requests handled at once
  int blocking_threads = 4;  // besides them: requests that wait on other servers, hash passwords
  int64_t max_body_bytes = 1024 * 1024;
  int session_idle_minutes = 120;
  int session_absolute_hours = 168;
  bool access_log = true;
  // Peers allowed to name the client in X-Forwarded-For / X-Real-IP (addresses, CIDR
  // networks or "unix"); see net::TrustedProxies. Empty: no one, the peer is the client.
  std::vector<std::string> trusted_proxies;
  // Connections one client address may hold open on the portal and the WebSocket gateway
  // (0: no cap). Trusted proxies are not capped: they carry many clients.
  int max_connections_per_address = 100;
  // The certificate (PEM) the portal is served with, for `da status`; empty: the one of the
  // nginx site that passes requests to the portal, if any.
  std::filesystem::path tls_cert;
  bool secure_cookies() const { return base_url.rfind("https://", 0) == 0; }
  // The path of base_url ("/tools/da"), or "" when the portal sits at the root of its host.
  std::string base_path() const;
};

struct AdminEntry {
  std::string username;
  std::string ssh_public_key;
};

struct DeploymentConfig {
  std::string method = "manual";  // manual | github_actions
  std::string repo_url;
  std::string branch = "main";
};

struct AuthConfig {
  std::vector<std::string> allowed_domains;  // lower case
  std::vector<std::string> allowed_emails;   // lower case; individual addresses outside the domains
  std::string webapp_secret_key;
  bool email_enabled = true;  // magic links, offered when SMTP is configured or in dev mode
  bool email_dev_mode =
      false;  // show the link in the browser instead of mailing it (never a fallback)
  bool password_enabled = false;  // passwords for allowed users, set up by mailed links
  // The auth section as written, for the sign-in providers that read their own keys from it
  // (auth.oidc, auth.google_*): the core reads only the keys above.
  YamlNode section;
  std::string file;  // where `section` came from, for the providers' diagnostics
};

// The source type and its own section (data_source.<type>), which the connector reads and
// validates itself: the core does not know any connector's settings.
struct DataSourceConfig {
  std::string type = "csv";
  YamlNode settings;  // data_source.<type>; null when absent
  std::string file;   // where `settings` came from, for the connector's diagnostics
};

struct PathsConfig {
  std::filesystem::path data_dir;  // Parquet, metadata, state.db
  std::filesystem::path docs_dir;  // data_description.md, metrics, schema.yml
  std::filesystem::path state_db;  // SQLite app state
};

// Analyst accounts on the broker (`da admin add-analyst`, the portal's onboarding).
struct AccountsConfig {
  std::filesystem::path home_root = "/home";  // homes are <home_root>/<user>
  std::string shell = "/bin/bash";
  // The account helper's socket (`da account-helper`); empty: the portal only saves keys and
  // an administrator creates the accounts.
  std::filesystem::path helper_socket;
  // The account the portal runs as: the only one besides root the helper answers.
  std::string portal_user = "www-data";
};

struct SyncConfig {
  std::string memory_limit = "2GB";  // DuckDB memory_limit for a sync run
  uint64_t memory_limit_bytes = 2'000'000'000;
  int threads = 0;                   // DuckDB threads; 0 = every core
  int parallel_tables = 2;           // tables synced at once
  std::string compression = "zstd";  // Parquet codec
  int64_t row_group_size = 1'000'000;
  // When da-sync.timer runs the sync: "HH:MM" in UTC or systemd calendar expressions, as
  // written (config::on_calendar() gives the timer's lines).
  std::vector<std::string> schedule = kDefaultSyncSchedule;
};

struct ProfilerConfig {
  int64_t exact_row_limit = 1'000'000;  // above it, statistics come from a reservoir sample
  int64_t sample_rows = 500'000;        // the sample's size
};

struct UserDisplay {
  std::string name;
  std::string initials;
};

struct DatasetOption {
  std::string label;
  std::string description;
  std::string size_hint;
  std::string requires_dataset;  // `requires`: another dataset that must also be enabled
};

struct CatalogCategory {
  std::string label;
  std::string icon;
};

struct CatalogConfig {
  std::vector<std::pair<std::string, CatalogCategory>> categories;  // file order
  std::vector<std::string> order;  // display order of folders; defaults to categories' order
};

// A top-level section the core does not read, as written, for the module that claims it
// (config::SectionOwners).
struct HeldSection {
  YamlNode node;
  int line = 0;  // of its key
};

struct InstanceConfig {
  std::filesystem::path config_dir;     // where instance.yaml was found
  std::filesystem::path instance_root;  // relative paths resolve against it (config_dir/..)
  std::filesystem::path source_file;    // the instance.yaml read

  InstanceInfo instance;
  ServerConfig server;
  std::vector<AdminEntry> admins;
  DeploymentConfig deployment;
  AuthConfig auth;
  DataSourceConfig data_source;
  PathsConfig paths;
  SyncConfig sync;
  ProfilerConfig profiler;
  std::string log_level = "info";
  std::vector<std::pair<std::string, UserDisplay>> users;
  std::map<std::string, std::string> username_mapping;
  std::vector<std::pair<std::string, DatasetOption>> datasets;
  CatalogConfig catalog;
  AccountsConfig accounts;
  std::map<std::string, HeldSection, std::less<>> sections;  // by name

  // A reader of held section `name` that reports to `diagnostics` with this file's name and
  // lines; for an absent section, a reader of nothing whose getters give their fallbacks.
  NodeReader section_reader(std::string_view name, Diagnostics& diagnostics) const;

  // `path` made absolute against instance_root.
  std::filesystem::path resolve(const std::filesystem::path& path) const;
};

}  // namespace da::config
