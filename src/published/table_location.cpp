#include "da/published/table_location.hpp"

namespace da::published {

namespace fs = std::filesystem;

fs::path parquet_root(const fs::path& data_dir) {
  return data_dir / kParquetFolder;
}

std::string single_file_path(const std::string& folder, const std::string& name) {
  return partition_dir_path(folder, name) + ".parquet";
}

std::string partition_dir_path(const std::string& folder, const std::string& name) {
  return folder + "/" + name;
}

std::string partition_file_name(const std::string& key) {
  return key + ".parquet";
}

fs::path TableLocation::journal() const {
  return folder / (kJournalPrefix + single_file.stem().string() + ".json");
}

TableLocation table_location(const fs::path& data_dir, const std::string& folder,
                             const std::string& name, bool partitioned) {
  TableLocation location;
  location.folder = parquet_root(data_dir) / folder;
  location.single_file = location.folder / (name + ".parquet");
  location.partition_dir = location.folder / name;
  location.partitioned = partitioned;
  return location;
}

TableLocation table_location(const fs::path& data_dir, const std::string& folder,
                             const catalog::TableConfig& table) {
  return table_location(data_dir, folder, table.name, table.is_partitioned());
}

TableLocation table_location(const fs::path& data_dir, const catalog::DataDescription& catalog,
                             const catalog::TableConfig& table) {
  return table_location(data_dir, catalog.folder_of(table), table);
}

}  // namespace da::published
