#include "da/published/published_files.hpp"

#include <algorithm>
#include <system_error>

#include "da/common/error.hpp"
#include "da/common/file_stamp.hpp"

namespace da::published {

namespace fs = std::filesystem;

std::vector<fs::path> partition_files(const TableLocation& location) {
  std::vector<fs::path> files;
  std::error_code error;
  if (!fs::is_directory(fs::symlink_status(location.partition_dir, error))) return files;
  for (fs::directory_iterator it(location.partition_dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().extension() == ".parquet" && regular_file_stamp(it->path()))
      files.push_back(it->path());
  }
  if (error)
    throw_system_error("cannot list the partitions in", location.partition_dir.string(),
                       error.value());
  std::sort(files.begin(), files.end());
  return files;
}

bool has_single_file(const TableLocation& location) {
  return regular_file_stamp(location.single_file).has_value();
}

std::vector<fs::path> published_files(const TableLocation& location) {
  if (location.partitioned) return partition_files(location);
  if (has_single_file(location)) return {location.single_file};
  return {};
}

PublishedForm published_form(const TableLocation& location) {
  if (location.partitioned && !partition_files(location).empty()) return PublishedForm::kPartitions;
  if (has_single_file(location)) return PublishedForm::kSingleFile;
  return PublishedForm::kNone;
}

}  // namespace da::published
