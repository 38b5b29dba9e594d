// <data_dir>/parquet/private/: the folder of the tables only privileged analysts receive.
#pragma once

#include <filesystem>

namespace da::published {

// <data_dir>/parquet/private.
std::filesystem::path private_folder(const std::filesystem::path& data_dir);

// Creates <data_dir>/parquet/private/ if it is missing and keeps it closed to others: mode
// 2750 and, where the group exists, group data-private (new files inherit it). Best effort
// for the group: a process that may not change it leaves it as it is. Throws Error naming the
// folder when it cannot be made or restricted, or is not a real directory.
void secure_private_folder(const std::filesystem::path& data_dir);

}  // namespace da::published
