// data_source.keboola: where the project is and how hard to pull.
//
//   stack_url                 https://connection.keboola.com (the stack of the project)
//   storage_token             a Storage API token; write ${KEBOOLA_STORAGE_TOKEN}, never the value
//   project_id                checked against the token's project when given
//   parallel_exports          export jobs of one table at once (chunked loads); default 4
//   parallel_downloads        slices fetched at once per export; default 8
//   connect_timeout_seconds   default 10
//   request_timeout_seconds   per API call; default 120
//   slice_timeout_seconds     per slice download; default 3600
//   retries                   attempts per call or slice, the first included; default 6
//   job_timeout_minutes       an export job that runs longer fails; default 120
//   metadata_ttl_minutes      table metadata kept in the state store for the catalog; default 60
//   chunked_load_min_mb       a first incremental load of a bigger table is exported in
//                             windows of initial_load_chunk_days; default 2048
//   object_store_endpoint     path-style URL replacing S3/GCS endpoints (S3-compatible stores,
//                             tests); default none
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "keboola/client/export_download.hpp"
#include "keboola/client/storage_client.hpp"

#include "da/config/instance_config.hpp"
#include "da/config/node_reader.hpp"

namespace da::connectors::keboola {

struct KeboolaSettings {
  ClientOptions client;
  DownloadOptions download;
  std::string project_id;
  int parallel_exports = 4;
  std::chrono::minutes metadata_ttl{60};
  int64_t chunked_load_min_bytes = int64_t{2048} * 1024 * 1024;
};

// Reads and validates the section; problems go to the reader's diagnostics.
KeboolaSettings read_keboola_settings(const config::NodeReader& section);

}  // namespace da::connectors::keboola
