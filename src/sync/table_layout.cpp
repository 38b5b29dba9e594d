#include "da/sync/table_layout.hpp"

#include <cctype>
#include <cerrno>
#include <vector>

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "da/common/error.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::sync {

namespace fs = std::filesystem;

void secure_private_folder(const fs::path& data_dir) {
  fs::path folder = data_dir / "parquet" / catalog::kPrivateFolder;
  std::error_code error;
  fs::create_directories(folder.parent_path(), error);
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST)
    throw_system_error("cannot create folder", folder.string(), errno);
  struct stat info {};
  if (::lstat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    throw Error(ErrorKind::kData, folder.string() + " must be a real directory (not a link)");
  std::vector<char> buffer(65536);
  group entry{};
  group* found = nullptr;
  if (::getgrnam_r(catalog::kPrivateGroup, &entry, buffer.data(), buffer.size(), &found) == 0 && found &&
      info.st_gid != found->gr_gid)
    (void)::chown(folder.c_str(), static_cast<uid_t>(-1), found->gr_gid);
  if ((info.st_mode & 07777) != 02750 && ::chmod(folder.c_str(), 02750) != 0)
    throw_system_error("cannot restrict", folder.string(), errno);
}

fs::path TableLayout::journal() const {
  return folder / (".da-publish-" + single_file.stem().string() + ".json");
}

TableLayout table_layout(const fs::path& data_dir, const std::string& folder,
                         const catalog::TableConfig& table) {
  TableLayout layout;
  layout.folder = data_dir / "parquet" / folder;
  layout.single_file = layout.folder / (table.name + ".parquet");
  layout.partition_dir = layout.folder / table.name;
  layout.partitioned = table.is_partitioned();
  return layout;
}

std::string partition_key_sql(const std::string& column_sql, const std::string& column_type,
                              catalog::PartitionGranularity granularity) {
  const char* format = granularity == catalog::PartitionGranularity::kDay     ? "%Y-%m-%d"
                       : granularity == catalog::PartitionGranularity::kMonth ? "%Y-%m"
                                                                              : "%Y";
  std::string value;
  if (column_type == "DATE" || column_type.rfind("TIMESTAMP", 0) == 0) {
    value = column_type == "TIMESTAMP WITH TIME ZONE" ? "timezone('UTC', " + column_sql + ")"
                                                      : column_sql;
  } else if (column_type == "VARCHAR") {
    value = "TRY_CAST(" + column_sql + " AS TIMESTAMP)";
  } else {
    throw Error(ErrorKind::kConfig, "partition_by column " + column_sql + " has type " +
                                        column_type +
                                        "; it must be a DATE, a TIMESTAMP or text holding one");
  }
  return "coalesce(strftime(" + value + ", " + duck::quote_literal(format) + "), " +
         duck::quote_literal(kNullPartition) + ")";
}

std::string table_key(const std::string& table_id) {
  std::string key;
  for (char c : table_id) {
    bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    key += safe ? c : '_';
  }
  return key;
}

}  // namespace da::sync
