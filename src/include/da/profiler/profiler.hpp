// Table profiles for analysts and the portal: statistics, histograms, top values, alerts,
// relationships and the metrics that use each table, written to <data_dir>/metadata/profiles.json
// (schema: docs/formats.md; compatible with the original's).
//
// Row counts, null counts and, for sampled tables, min/max come from the Parquet metadata, so
// they are exact; other statistics are exact up to profiler.exact_row_limit rows and computed
// on a reservoir sample of profiler.sample_rows above it ("sampled": true).
#pragma once

#include <string>
#include <vector>

#include "da/catalog/data_description.hpp"
#include "da/config/instance_config.hpp"

namespace da::profiler {

struct ProfileReport {
  std::vector<std::string> profiled;  // table ids
  std::vector<std::string> skipped;   // ids (or names) not in the catalog or without data
  std::vector<std::string>
      errors;  // "id: why"; those tables keep their previous profile, marked _stale
  double seconds = 0;
};

class Profiler {
 public:
  Profiler(const config::InstanceConfig& config, const catalog::DataDescription& catalog);

  // Profiles the tables named (ids or names; empty: every table of the catalog), in parallel
  // (sync.parallel_tables) under sync.memory_limit, and rewrites profiles.json atomically with
  // the other tables' profiles kept. A full run drops the profiles of tables no longer in the
  // catalog.
  ProfileReport run(const std::vector<std::string>& tables);

 private:
  const config::InstanceConfig& config_;
  const catalog::DataDescription& catalog_;
};

}  // namespace da::profiler
