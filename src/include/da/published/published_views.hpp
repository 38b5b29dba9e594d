// DuckDB views over the published Parquet, so that SQL can name tables as analysts do:
// `orders`, or `shop.orders` (folder-qualified) when two folders hold a table of that name.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "da/catalog/data_description.hpp"
#include "da/config/instance_config.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"

namespace da::published {

// A view over one published table: `schema`.`name` AS `relation`.
struct PublishedView {
  std::string schema;  // the table's folder, or "main" for the unqualified alias
  std::string name;
  std::string table_id;
  std::string source;  // the quoted Parquet file or glob the relation reads
  std::string relation;
  std::filesystem::path location;  // the Parquet file, or the folder of the partitions
};

// The views for every table of `catalog` that has published data under <data_dir>/parquet:
// "<folder>"."<name>", and "main"."<name>" right after it where the name is unique.
std::vector<PublishedView> published_views(const std::filesystem::path& data_dir,
                                           const catalog::DataDescription& catalog);

// Creates the views for every table of `catalog` that has published data; returns their names.
std::vector<std::string> create_published_views(duck::Connection& connection,
                                                const std::filesystem::path& data_dir,
                                                const catalog::DataDescription& catalog);

// An in-memory DuckDB, with the instance's memory limit and threads, that has those views:
// where `da query` and `da metrics run` run SQL.
class PublishedTables {
 public:
  PublishedTables(const config::InstanceConfig& config, const catalog::DataDescription& catalog);
  duck::Connection& connection() { return connection_; }

 private:
  duck::Database database_;
  duck::Connection connection_;
};

}  // namespace da::published
