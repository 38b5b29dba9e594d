// Where an instance keeps what a backup holds, from its configuration.
#pragma once

#include <filesystem>

#include "da/config/instance_config.hpp"
#include "da/published/table_location.hpp"

namespace da::ops {

struct InstanceLocations {
  std::filesystem::path config_dir;  // instance.yaml, .env
  std::filesystem::path docs_dir;    // data_description.md, metrics/, schema.yml, datasets/
  std::filesystem::path data_dir;    // parquet/, metadata/, the lock files
  std::filesystem::path state_db;    // the state store

  std::filesystem::path metadata() const { return data_dir / "metadata"; }
  std::filesystem::path parquet() const { return published::parquet_root(data_dir); }
  std::filesystem::path instance_yaml() const { return config_dir / "instance.yaml"; }
  std::filesystem::path env_file() const { return config_dir / ".env"; }

  static InstanceLocations of(const config::InstanceConfig& config);
};

}  // namespace da::ops
