#include "da/duck/database.hpp"

#include <string>

#include "database_impl.hpp"
#include <duckdb.h>

#include "da/duck/duck_error.hpp"

namespace da::duck {

namespace {

class Config {
 public:
  Config() {
    if (duckdb_create_config(&config_) != DuckDBSuccess) {
      throw DuckError(0, "DuckDB: cannot create a configuration");
    }
  }
  ~Config() { duckdb_destroy_config(&config_); }
  void set(const char* name, const std::string& value) {
    if (duckdb_set_config(config_, name, value.c_str()) != DuckDBSuccess) {
      throw DuckError(DUCKDB_ERROR_SETTINGS,
                      std::string("DuckDB rejected setting ") + name + " = '" + value + "'");
    }
  }
  duckdb_config get() const { return config_; }

 private:
  duckdb_config config_ = nullptr;
};

}  // namespace

Database::Database(const DatabaseOptions& options) : impl_(std::make_unique<Impl>()) {
  Config config;
  config.set("autoinstall_known_extensions", "false");
  config.set("autoload_known_extensions", "false");
  if (!options.memory_limit.empty()) config.set("memory_limit", options.memory_limit);
  if (options.threads > 0) config.set("threads", std::to_string(options.threads));
  if (!options.temp_directory.empty()) config.set("temp_directory", options.temp_directory);
  if (options.read_only) config.set("access_mode", "READ_ONLY");

  char* error = nullptr;
  const char* path = options.path.empty() ? nullptr : options.path.c_str();
  if (duckdb_open_ext(path, &impl_->database, config.get(), &error) != DuckDBSuccess) {
    std::string message = error != nullptr ? error : "unknown error";
    if (error != nullptr) duckdb_free(error);
    throw DuckError(DUCKDB_ERROR_IO,
                    "cannot open DuckDB database " +
                        (options.path.empty() ? std::string("in memory") : options.path) + ": " +
                        message);
  }
}

Database::~Database() = default;

std::string Database::library_version() {
  return duckdb_library_version();
}

}  // namespace da::duck
