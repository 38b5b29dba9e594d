// DuckDB views over the published Parquet, so that SQL can name tables as analysts do:
// `orders`, or `shop.orders` (folder-qualified) when two folders hold a table of that name.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "da/catalog/data_description.hpp"
#include "da/duck/connection.hpp"

namespace da::sync {

// Creates the views for every table of `catalog` that has published data; returns their names.
std::vector<std::string> create_published_views(duck::Connection& connection,
                                                const std::filesystem::path& data_dir,
                                                const catalog::DataDescription& catalog);

}  // namespace da::sync
