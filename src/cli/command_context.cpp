#include "da/cli/command_context.hpp"

#include "da/common/log.hpp"
#include "da/config/instance_config_loader.hpp"
#include "da/module/module_registry.hpp"

namespace da::cli {

CommandContext::CommandContext(GlobalOptions options, ModuleRegistry& modules,
                               config::EnvLookup env, std::FILE* out)
    : options_(std::move(options)), modules_(modules), env_(std::move(env)), out_(out) {}

std::filesystem::path CommandContext::config_dir() const {
  return config::resolve_config_dir(options_.config_dir, env_);
}

const config::InstanceConfig& CommandContext::config() {
  if (!config_) {
    config::ConfigLoadResult loaded =
        config::load_instance_config(config_dir(), env_, &modules_.config_sections);
    for (const auto& warning : loaded.diagnostics.warnings())
      log::debug("{}", warning.format());
    loaded.diagnostics.throw_if_errors("invalid configuration " +
                                       loaded.config.source_file.string());
    config_ = std::make_unique<config::InstanceConfig>(std::move(loaded.config));
    if (!options_.log_level) log::set_level(log::parse_level(config_->log_level));
  }
  return *config_;
}

void CommandContext::print(const std::string& text) {
  std::fputs(log::redact(text).c_str(), out_);
  std::fflush(out_);
}

}  // namespace da::cli
