// Downloads the file of a finished export into a folder: the slices of a sliced file in
// parallel, each streamed to disk and gunzipped on the way (a slice is never whole in memory),
// an unsliced file likewise with its header line dropped, so that every file written is
// header-less RFC CSV in the table's column order. Slices are addressed as the file info says:
// s3:// with AWS SigV4 and the federated credentials, gs:// with the GCS bearer token, Azure
// blobs with the SAS of the connection string, and http(s) URLs (pre-signed) as given. Each
// slice is retried from its start under the RetryPolicy.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "keboola/client/storage_client.hpp"

#include "da/net/http_client.hpp"
#include "da/net/retry_policy.hpp"

namespace da::connectors::keboola {

struct DownloadOptions {
  int parallel = 8;  // slices fetched at once
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds slice_timeout{std::chrono::hours(1)};
  net::RetryPolicy retry;
  // Path-style base URL that replaces the clouds' own endpoints for s3:// and gs:// slices
  // (an S3-compatible store, or a test double); empty in production.
  std::string object_store_endpoint;
};

struct DownloadedExport {
  std::vector<std::filesystem::path> files;  // non-empty CSV files, in manifest order
  int64_t transferred_bytes = 0;             // as received (compressed)
  int64_t stored_bytes = 0;                  // as written to disk
  int slices = 0;                            // in the manifest (1 if unsliced)
};

// Writes <dir>/<prefix>_<n>.csv files; empty slices are left out. Throws Error(kSource) naming the
// file and slice when a download fails for good, Error(kInternal) when the disk refuses a write.
DownloadedExport download_export(const StorageClient& client, const FileInfo& file,
                                 const std::filesystem::path& dir, const std::string& prefix,
                                 const DownloadOptions& options);

// The request that fetches one slice URL of `file` (exposed for tests).
net::HttpRequest slice_request(const std::string& url, const FileInfo& file,
                               const DownloadOptions& options);

}  // namespace da::connectors::keboola
