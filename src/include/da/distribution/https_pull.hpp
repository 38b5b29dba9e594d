// `da pull --via https`: brings a workspace's server/ in line with the broker's manifest.
//
// Only files whose SHA-256 differs from the local copy are fetched, several at once, into
// .da/partial/; an interrupted download resumes with Range (If-Range on the file's digest).
// Every byte is checked against the manifest's digest (a corrupt file is fetched again, up to
// `attempts` times). Only when every file has arrived intact are they renamed into place and
// are the files the analyst may no longer see removed from server/parquet and server/docs;
// otherwise nothing in server/ changes and the pull fails.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace da::distribution {

struct PullOptions {
  std::string portal_url;  // https://data.example.com (no trailing slash needed)
  std::string token;       // a personal token (dap_...) or a desktop access token
  std::filesystem::path workspace;
  // PEM file of further CAs that may sign the portal's certificate (a private CA); empty:
  // the system's only.
  std::filesystem::path ca_file;
  int parallel = 4;
  int attempts = 3;  // per file, for network errors and digest mismatches
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds file_timeout{std::chrono::hours(1)};
  bool show_progress = true;
};

struct PullReport {
  int64_t files_in_manifest = 0;
  int64_t files_fetched = 0;
  int64_t bytes_fetched = 0;  // data bytes received (resumed parts not counted twice)
  int64_t files_removed = 0;
  std::vector<std::string> refetched;  // files whose first copy failed its digest
};

// Tells the portal that this analyst pulled (`files` and `bytes` that arrived), for the
// dashboard's "Last pull". Best effort: a failure is logged, never thrown.
void report_pull(const std::string& portal_url, const std::string& token,
                 const std::filesystem::path& ca_file, int64_t files, int64_t bytes);

// Throws Error(kAuth) when the portal refuses the token, Error(kSource) for any other failure
// (naming the file), leaving server/ as it was.
PullReport pull_https(const PullOptions& options);

}  // namespace da::distribution
