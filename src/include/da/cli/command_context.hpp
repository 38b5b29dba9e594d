// What a running command gets: the global options, the configuration (loaded on first use)
// and the output streams.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "da/config/instance_config.hpp"
#include "da/config/interpolation.hpp"

namespace da {
struct ModuleRegistry;
}

namespace da::cli {

struct GlobalOptions {
  std::optional<std::filesystem::path> config_dir;  // --config
  bool json = false;                                // --json
  std::optional<std::string> log_level;             // --log-level / -v / -q
};

class CommandContext {
 public:
  CommandContext(GlobalOptions options, ModuleRegistry& modules,
                 config::EnvLookup env = config::process_environment(), std::FILE* out = stdout);

  const GlobalOptions& options() const { return options_; }
  bool json() const { return options_.json; }
  ModuleRegistry& modules() { return modules_; }
  const config::EnvLookup& env() const { return env_; }

  // --config, else $DA_CONFIG_DIR, else $CONFIG_DIR, else ./config.
  std::filesystem::path config_dir() const;
  // instance.yaml, loaded and validated on first use. Throws Error(kConfig) listing every
  // problem. Applies the configured log level unless --log-level was given.
  const config::InstanceConfig& config();

  // Writes to standard output (results; logs and progress go to standard error), with
  // every secret of the configuration redacted.
  void print(const std::string& text);

 private:
  GlobalOptions options_;
  ModuleRegistry& modules_;
  config::EnvLookup env_;
  std::FILE* out_;
  std::unique_ptr<config::InstanceConfig> config_;
};

}  // namespace da::cli
