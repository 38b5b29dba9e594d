// The sample's CSV files as Parquet, typed as the sample catalog declares.
#pragma once

#include <filesystem>

#include "da/sample_data/sample_generator.hpp"

namespace da::sample_data {

// Writes <folder>/<table>.parquet from <csv_folder>/<table>.csv for every table of `result`.
void write_sample_parquet(const SampleResult& result, const std::filesystem::path& csv_folder,
                          const std::filesystem::path& folder);

}  // namespace da::sample_data
