// What a state database holds beyond its schema: used before a restore replaces it.
#pragma once

#include <filesystem>
#include <vector>

#include "da/store/migrations.hpp"

namespace da::store {

// Whether the database at `path` holds rows that `migrations` did not put there themselves
// (what `da migrate` leaves on a new server holds none; neither does a missing file). The
// store's records of applied migrations do not count. Writes nothing to it.
bool holds_data(const std::filesystem::path& path,
                const std::vector<Migration>& migrations = state_migrations());

}  // namespace da::store
