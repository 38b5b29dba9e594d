#include "da/config/instance_config_loader.hpp"

#include <algorithm>
#include <regex>

#include "da/common/atomic_file.hpp"
#include "da/common/dotenv.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/config/node_reader.hpp"
#include "da/config/sync_schedule.hpp"
#include "da/net/trusted_proxies.hpp"

namespace da::config {

namespace fs = std::filesystem;

fs::path InstanceConfig::resolve(const fs::path& path) const {
  if (path.empty() || path.is_absolute()) return path;
  return (instance_root / path).lexically_normal();
}

std::string ServerConfig::base_path() const {
  auto scheme_end = base_url.find("://");
  if (scheme_end == std::string::npos) return {};
  auto path_start = base_url.find('/', scheme_end + 3);
  if (path_start == std::string::npos) return {};
  std::string path = base_url.substr(path_start);
  while (!path.empty() && path.back() == '/')
    path.pop_back();
  return path;
}

NodeReader InstanceConfig::section_reader(std::string_view name, Diagnostics& diagnostics) const {
  auto held = sections.find(name);
  if (held == sections.end())
    return NodeReader(nullptr, std::string(name), source_file.native(), diagnostics, 1);
  return NodeReader(&held->second.node, std::string(name), source_file.native(), diagnostics,
                    held->second.line);
}

const std::vector<std::string_view>& core_sections() {
  static const std::vector<std::string_view> names = {
      "instance", "server",  "admins",         "deployment", "auth",  "data_source",
      "paths",    "sync",    "profiler",       "logging",    "users", "username_mapping",
      "datasets", "catalog", "folder_mapping", "accounts"};
  return names;
}

fs::path resolve_config_dir(const std::optional<fs::path>& cli_value, const EnvLookup& env) {
  if (cli_value && !cli_value->empty()) return *cli_value;
  for (const char* variable : {"DA_CONFIG_DIR", "CONFIG_DIR"})
    if (auto from_env = env(variable); from_env && !from_env->empty()) return *from_env;
  return "config";
}

namespace {

// A path the portal can be mounted under: "/a/b" with unreserved characters only, so that it
// reads the same percent-decoded or not and needs no escaping in HTML, cookies or headers.
constexpr const char* kSubPathRule =
    "its path (the portal's sub-path, e.g. https://example.com/da) may hold only letters, digits, "
    "'-', '.', '_', '~' and single '/' between segments, no '.' or '..' segment, no query and no "
    "fragment";

bool is_plain_url_path(std::string_view path) {
  static const std::regex pattern("^(/[A-Za-z0-9._~-]+)*$");
  if (!std::regex_match(path.begin(), path.end(), pattern)) return false;
  for (const std::string& segment : split(path, '/'))
    if (segment == "." || segment == "..") return false;
  return true;
}

bool is_connector_name(std::string_view text) {
  static const std::regex pattern("^[a-z][a-z0-9_]*$");
  return std::regex_match(text.begin(), text.end(), pattern);
}

bool is_domain(std::string_view text) {
  static const std::regex pattern(
      "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$");
  return std::regex_match(text.begin(), text.end(), pattern);
}

void read_instance(const NodeReader& node, InstanceInfo& out) {
  node.warn_unknown_keys({"name", "subtitle", "copyright"});
  out.name = node.string("name", out.name);
  if (node.child("name").present() && trim(out.name).empty())
    node.child("name").error("must not be empty");
  out.subtitle = node.string("subtitle");
  out.copyright = node.string("copyright");
}

void read_server(const NodeReader& node, ServerConfig& out) {
  node.warn_unknown_keys({"hostname", "host", "app_dir", "base_url", "listen", "threads",
                          "blocking_threads", "max_body_kb", "session_idle_minutes",
                          "session_absolute_hours", "access_log", "trusted_proxies",
                          "max_connections_per_address", "tls_cert"});
  out.hostname = node.string("hostname");
  out.host = node.string("host");
  out.app_dir = node.string("app_dir", out.app_dir);
  out.base_url = node.string("base_url");
  while (!out.base_url.empty() && out.base_url.back() == '/')
    out.base_url.pop_back();
  if (!out.base_url.empty() && out.base_url.rfind("https://", 0) != 0 &&
      out.base_url.rfind("http://", 0) != 0)
    node.child("base_url").error("must start with https:// (or http:// for local use)");
  if (!is_plain_url_path(out.base_path())) node.child("base_url").error(kSubPathRule);
  if (out.base_url.empty() && !out.hostname.empty()) out.base_url = "https://" + out.hostname;
  out.listen = node.string("listen", out.listen);
  out.threads = static_cast<int>(node.integer("threads", out.threads, 1, 256));
  out.blocking_threads =
      static_cast<int>(node.integer("blocking_threads", out.blocking_threads, 1, 256));
  out.max_body_bytes =
      node.integer("max_body_kb", out.max_body_bytes / 1024, 16, 1024 * 1024) * 1024;
  out.session_idle_minutes = static_cast<int>(
      node.integer("session_idle_minutes", out.session_idle_minutes, 5, 60 * 24 * 30));
  out.session_absolute_hours = static_cast<int>(
      node.integer("session_absolute_hours", out.session_absolute_hours, 1, 24 * 90));
  out.access_log = node.boolean("access_log", out.access_log);
  out.trusted_proxies = node.child("trusted_proxies").as_string_list();
  try {
    net::TrustedProxies(out.trusted_proxies, "server.trusted_proxies");
  } catch (const Error& e) {
    node.child("trusted_proxies").error(e.what());
  }
  out.max_connections_per_address = static_cast<int>(
      node.integer("max_connections_per_address", out.max_connections_per_address, 0, 1000000));
  out.tls_cert = node.string("tls_cert");
}

void read_admins(const NodeReader& node, std::vector<AdminEntry>& out) {
  for (const NodeReader& item : node.items()) {
    item.warn_unknown_keys({"username", "ssh_public_key"});
    item.require("username");
    item.require("ssh_public_key");
    AdminEntry admin{item.string("username"), item.string("ssh_public_key")};
    if (!admin.username.empty() && !is_linux_username(admin.username)) {
      item.child("username").error("'" + admin.username + "' is not a valid Linux user name");
    }
    out.push_back(std::move(admin));
  }
}

void read_deployment(const NodeReader& node, DeploymentConfig& out) {
  node.warn_unknown_keys({"method", "repo_url", "branch"});
  out.method = node.string("method", out.method);
  if (out.method != "manual" && out.method != "github_actions") {
    node.child("method").error("must be 'manual' or 'github_actions', found '" + out.method + "'");
  }
  out.repo_url = node.string("repo_url");
  out.branch = node.string("branch", out.branch);
}

void read_auth(const NodeReader& node, AuthConfig& out) {
  // oidc and google_*: read by the OpenID Connect provider (auth/oidc/) from `section`.
  node.warn_unknown_keys({"allowed_domain", "allowed_emails", "webapp_secret_key", "email",
                          "password", "oidc", "google_client_id", "google_client_secret",
                          "google_discovery_url"});
  if (const YamlNode* section = node.node()) out.section = *section;
  out.file = node.file();
  for (const std::string& domain : node.child("allowed_domain").as_string_list()) {
    std::string lower = to_lower(domain);
    if (!is_domain(lower))
      node.child("allowed_domain").error("'" + domain + "' is not a domain name");
    out.allowed_domains.push_back(lower);
  }
  for (const std::string& email : node.child("allowed_emails").as_string_list()) {
    if (email.find('@') == std::string::npos) {
      node.child("allowed_emails").error("'" + email + "' is not an email address");
    }
    out.allowed_emails.push_back(to_lower(email));
  }
  out.webapp_secret_key = node.string("webapp_secret_key");
  NodeReader email = node.child("email");
  email.warn_unknown_keys({"enabled", "dev_mode", "smtp_ca_file"});
  out.email_enabled = email.boolean("enabled", out.email_enabled);
  out.email_dev_mode = email.boolean("dev_mode", out.email_dev_mode);
  NodeReader password = node.child("password");
  password.warn_unknown_keys({"enabled"});
  out.password_enabled = password.boolean("enabled", out.password_enabled);
}

void read_data_source(const NodeReader& node, DataSourceConfig& out) {
  out.type = node.string("type", out.type);
  if (!is_connector_name(out.type)) {
    node.child("type").error("'" + out.type + "' is not a connector name");
    return;
  }
  if (const YamlNode* settings = node.child(out.type).node()) out.settings = *settings;
  out.file = node.file();
}

void read_paths(const NodeReader& node, PathsConfig& out) {
  node.warn_unknown_keys({"data_dir", "catalog_dir", "docs_dir", "state_db"});
  out.data_dir = node.string("data_dir", "data");
  // docs_dir is catalog_dir's name until 0.1: still read, never silently.
  const char* catalog_key = "catalog_dir";
  if (node.child("docs_dir").present()) {
    if (node.child("catalog_dir").present()) {
      node.child("docs_dir").error("docs_dir is the old name of catalog_dir: set only catalog_dir");
    } else {
      node.child("docs_dir").warning("docs_dir is deprecated: rename it to catalog_dir");
      catalog_key = "docs_dir";
    }
  }
  out.docs_dir = node.string(catalog_key, "docs");
  out.state_db = node.string("state_db");
  for (const char* key : {"data_dir", "catalog_dir", "docs_dir"}) {
    if (node.child(key).present() && trim(node.string(key)).empty()) {
      node.child(key).error("must not be empty");
    }
  }
}

void read_accounts(const NodeReader& node, AccountsConfig& out) {
  node.warn_unknown_keys({"home_root", "shell", "helper_socket", "portal_user"});
  out.home_root = node.string("home_root", out.home_root.string());
  if (!out.home_root.is_absolute())
    node.child("home_root")
        .error("must be an absolute path, found '" + out.home_root.string() + "'");
  out.shell = node.string("shell", out.shell);
  out.helper_socket = node.string("helper_socket");
  out.portal_user = node.string("portal_user", out.portal_user);
  if (!is_linux_username(out.portal_user))
    node.child("portal_user").error("'" + out.portal_user + "' is not a valid Linux user name");
}

void read_sync(const NodeReader& node, SyncConfig& out) {
  node.warn_unknown_keys(
      {"memory_limit", "threads", "parallel_tables", "compression", "row_group_size", "schedule"});
  out.memory_limit = node.string("memory_limit", out.memory_limit);
  if (auto bytes = parse_byte_size(out.memory_limit); bytes && *bytes >= 64'000'000) {
    out.memory_limit_bytes = *bytes;
  } else {
    node.child("memory_limit")
        .error("expected a size of at least 64MB such as '2GB' or '512MiB', found '" +
               out.memory_limit + "'");
  }
  out.threads = static_cast<int>(node.integer("threads", out.threads, 0, 1024));
  out.parallel_tables =
      static_cast<int>(node.integer("parallel_tables", out.parallel_tables, 1, 64));
  out.compression = to_lower(node.string("compression", out.compression));
  static const std::vector<std::string> kCodecs = {"zstd", "snappy", "gzip",
                                                   "lz4",  "brotli", "uncompressed"};
  if (std::find(kCodecs.begin(), kCodecs.end(), out.compression) == kCodecs.end()) {
    node.child("compression")
        .error("must be one of " + join(kCodecs, ", ") + ", found '" + out.compression + "'");
  }
  out.row_group_size = node.integer("row_group_size", out.row_group_size, 2048, 100'000'000);
  read_schedule(node.child("schedule"), out.schedule,
                "to run no scheduled sync, disable da-sync.timer instead");
}

void read_profiler(const NodeReader& node, ProfilerConfig& out) {
  node.warn_unknown_keys({"exact_row_limit", "sample_rows"});
  out.exact_row_limit = node.integer("exact_row_limit", out.exact_row_limit, 0, 10'000'000'000);
  out.sample_rows = node.integer("sample_rows", out.sample_rows, 1000, 100'000'000);
}

template <typename T, typename ReadItem>
std::vector<std::pair<std::string, T>> read_named_entries(const NodeReader& node,
                                                          ReadItem read_item) {
  std::vector<std::pair<std::string, T>> result;
  for (const auto& [name, item] : node.entries()) {
    T value;
    read_item(item, value);
    result.emplace_back(name, std::move(value));
  }
  return result;
}

void read_datasets(const NodeReader& node, InstanceConfig& out) {
  out.datasets =
      read_named_entries<DatasetOption>(node, [](const NodeReader& item, DatasetOption& value) {
        item.warn_unknown_keys({"label", "description", "size_hint", "requires"});
        value.label = item.string("label");
        value.description = item.string("description");
        value.size_hint = item.string("size_hint");
        value.requires_dataset = item.string("requires");
      });
  for (const auto& [name, dataset] : out.datasets) {
    if (dataset.requires_dataset.empty()) continue;
    bool known = std::any_of(out.datasets.begin(), out.datasets.end(), [&](const auto& other) {
      return other.first == dataset.requires_dataset;
    });
    if (!known || dataset.requires_dataset == name) {
      node.child(name)
          .child("requires")
          .error("'" + dataset.requires_dataset + "' is not another dataset of this list");
    }
  }
}

void read_catalog(const NodeReader& node, CatalogConfig& out) {
  node.warn_unknown_keys({"categories", "order"});
  out.categories = read_named_entries<CatalogCategory>(
      node.child("categories"), [](const NodeReader& item, CatalogCategory& value) {
        item.warn_unknown_keys({"label", "icon"});
        value.label = item.string("label");
        value.icon = item.string("icon");
      });
  out.order = node.child("order").as_string_list();
  if (out.order.empty()) {
    for (const auto& [folder, category] : out.categories)
      out.order.push_back(folder);
  }
}

std::map<std::string, std::string> read_string_map(const NodeReader& node) {
  std::map<std::string, std::string> result;
  for (const auto& [key, value] : node.entries())
    result[key] = value.as_string();
  return result;
}

// Buckets map to Parquet folders in the table catalog, which every reader of published data
// (sync, portal, pulls, workspaces) consults; a second map here would be a second answer to
// one question, and was ignored. An empty map says nothing and passes.
void refuse_folder_mapping(const NodeReader& node) {
  if (read_string_map(node).empty()) return;
  node.error(
      "is not read from instance.yaml: map buckets to Parquet folders in the table catalog "
      "instead, with 'da tables map BUCKET FOLDER' or a 'folder_mapping:' mapping in a YAML "
      "block of data_description.md");
}

// Every top-level section the core does not read, kept as written for the module that claims
// it; SectionOwners::warn_unclaimed() warns about those no module claims.
void hold_module_sections(const YamlNode& root, InstanceConfig& config) {
  const auto& core = core_sections();
  for (size_t i = 0; i < root.entries.size(); ++i) {
    const auto& [name, node] = root.entries[i];
    if (std::find(core.begin(), core.end(), name) != core.end()) continue;
    config.sections[name] = HeldSection{node, root.key_lines[i]};
  }
}

// The .env files in the order they count (the first that sets a variable wins): next to the
// folder given, then next to where its instance.yaml really is (symbolic links resolved, of the
// file or of a folder above it), each time the config folder's own before its parent's.
std::vector<fs::path> dotenv_files(const fs::path& config_dir, const fs::path& instance_yaml) {
  std::vector<fs::path> files = {config_dir / ".env", config_dir.parent_path() / ".env"};
  std::error_code error;
  fs::path real_dir = fs::canonical(instance_yaml, error).parent_path();
  if (error) return files;
  for (const fs::path& file : {real_dir / ".env", real_dir.parent_path() / ".env"})
    if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
  return files;
}

EnvLookup layered_environment(const EnvLookup& env, const std::vector<fs::path>& files) {
  auto dotenv = std::make_shared<std::map<std::string, std::string>>();
  for (const fs::path& file : files) {
    for (auto& [name, value] : read_dotenv_file(file))
      dotenv->emplace(name, value);
  }
  return [env, dotenv](const std::string& name) -> std::optional<std::string> {
    if (auto value = env(name)) return value;
    auto found = dotenv->find(name);
    if (found == dotenv->end()) return std::nullopt;
    return found->second;
  };
}

}  // namespace

ConfigLoadResult parse_instance_config(std::string_view yaml, const std::string& file,
                                       const fs::path& config_dir, const EnvLookup& env,
                                       const SectionOwners* owners) {
  static const SectionOwners kNoOwners;
  if (owners == nullptr) owners = &kNoOwners;
  ConfigLoadResult result;
  InstanceConfig& config = result.config;
  config.config_dir = fs::absolute(config_dir).lexically_normal();
  config.instance_root = config.config_dir.parent_path();
  config.source_file = file;

  YamlNode root = parse_yaml(yaml, file);
  if (root.is_null()) throw Error(ErrorKind::kConfig, file + ": the file is empty");
  Diagnostics& diagnostics = result.diagnostics;
  interpolate_tree(root, env, file, diagnostics);
  NodeReader top(&root, "", file, diagnostics, 1);
  if (!root.is_map()) {
    top.error("expected a mapping of sections (instance:, paths:, sync:, ...)");
    return result;
  }
  hold_module_sections(root, config);
  owners->warn_unclaimed(config, diagnostics);
  read_instance(top.child("instance"), config.instance);
  read_server(top.child("server"), config.server);
  read_admins(top.child("admins"), config.admins);
  read_deployment(top.child("deployment"), config.deployment);
  read_auth(top.child("auth"), config.auth);
  read_data_source(top.child("data_source"), config.data_source);
  read_paths(top.child("paths"), config.paths);
  read_sync(top.child("sync"), config.sync);
  read_profiler(top.child("profiler"), config.profiler);
  NodeReader logging = top.child("logging");
  logging.warn_unknown_keys({"level"});
  config.log_level = logging.string("level", config.log_level);
  try {
    log::parse_level(config.log_level);
  } catch (const Error& e) {
    logging.child("level").error(e.what());
  }
  config.users = read_named_entries<UserDisplay>(top.child("users"),
                                                 [](const NodeReader& item, UserDisplay& value) {
                                                   item.warn_unknown_keys({"name", "initials"});
                                                   value.name = item.string("name");
                                                   value.initials = item.string("initials");
                                                 });
  config.username_mapping = read_string_map(top.child("username_mapping"));
  for (const auto& [webapp_name, server_name] : config.username_mapping) {
    if (!is_linux_username(server_name)) {
      top.child("username_mapping")
          .child(webapp_name)
          .error("'" + server_name + "' is not a valid Linux user name");
    }
  }
  read_datasets(top.child("datasets"), config);
  read_catalog(top.child("catalog"), config.catalog);
  refuse_folder_mapping(top.child("folder_mapping"));
  read_accounts(top.child("accounts"), config.accounts);

  config.paths.data_dir = config.resolve(config.paths.data_dir);
  config.paths.docs_dir = config.resolve(config.paths.docs_dir);
  if (!config.server.tls_cert.empty())
    config.server.tls_cert = config.resolve(config.server.tls_cert);
  config.paths.state_db = config.paths.state_db.empty() ? config.paths.data_dir / "state.db"
                                                        : config.resolve(config.paths.state_db);
  log::add_secret(config.auth.webapp_secret_key);  // the modules register their own secrets
  owners->check(config, diagnostics);
  result.document = std::move(root);
  return result;
}

ConfigLoadResult load_instance_config(const fs::path& config_dir, const EnvLookup& env,
                                      const SectionOwners* owners) {
  fs::path file = config_dir / "instance.yaml";
  if (!fs::exists(file)) {
    throw Error(ErrorKind::kNotFound,
                "instance configuration not found: " + file.string() +
                    " (copy config/instance.yaml.example there, or point --config or "
                    "DA_CONFIG_DIR at the folder that holds instance.yaml)");
  }
  fs::path absolute_dir = fs::absolute(config_dir).lexically_normal();
  return parse_instance_config(read_file(file), file.string(), absolute_dir,
                               layered_environment(env, dotenv_files(absolute_dir, file)), owners);
}

InstanceConfig load_instance_config_or_throw(const fs::path& config_dir, const EnvLookup& env,
                                             const SectionOwners* owners) {
  ConfigLoadResult result = load_instance_config(config_dir, env, owners);
  result.diagnostics.throw_if_errors("invalid configuration " + result.config.source_file.string());
  return std::move(result.config);
}

void check_web_portal_requirements(const InstanceConfig& config, Diagnostics& diagnostics) {
  const std::string file = config.source_file.string();
  const std::string& key = config.auth.webapp_secret_key;
  if (key.empty()) {
    diagnostics.error(
        file, 0, "auth.webapp_secret_key",
        "is required by the web portal (set WEBAPP_SECRET_KEY to 32+ random characters, "
        "e.g. `openssl rand -hex 32`)");
  } else if (key.size() < 32 || key.find("change-me") != std::string::npos) {
    diagnostics.error(file, 0, "auth.webapp_secret_key",
                      "is too weak for the web portal: use at least 32 random characters");
  }
  if (config.auth.allowed_domains.empty() && config.auth.allowed_emails.empty()) {
    diagnostics.error(
        file, 0, "auth.allowed_domain",
        "the web portal needs auth.allowed_domain or auth.allowed_emails (who may sign in)");
  }
  if (config.server.hostname.empty()) {
    diagnostics.error(
        file, 0, "server.hostname",
        "the web portal needs the broker's public host name (links, setup instructions)");
  }
}

}  // namespace da::config
