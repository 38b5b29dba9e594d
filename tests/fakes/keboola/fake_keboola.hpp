// A Keboola Storage API on 127.0.0.1 for connector tests and benchmarks, following the public
// API documentation (https://keboola.docs.apiary.io): token verification, buckets and tables
// with column metadata from several providers, table detail (typed table definitions, aliases),
// asynchronous table exports (changedSince/changedUntil over each row's change time, columns,
// whereFilters) that take a while, jobs, file info with federation credentials, and sliced or
// unsliced gzip CSV files served from a path-style object store on the same port.
//
// Failures are injected per path prefix: statuses (429 with Retry-After, 500), dropped
// connections and slow answers.
//
// Wire forms (object store = <url>/objects, path-style, bucket "kbc-fake-bucket", region
// us-east-1):
//   aws    s3Path {bucket, key}; manifest entries s3://kbc-fake-bucket/<key>part_0000.gz, fetched
//          as <object_store_url>/kbc-fake-bucket/<key>part_0000.gz with an AWS SigV4 header
//          (service s3, the file's federated AccessKeyId/SecretAccessKey, x-amz-security-token =
//          SessionToken, x-amz-content-sha256, host and every x-amz-* header signed).
//   gcp    gcsPath {bucket, key}; entries gs://kbc-fake-bucket/<key>part_0000.gz, fetched as
//          <object_store_url>/kbc-fake-bucket/<key>... with "Authorization: Bearer <access_token>".
//   azure  absPath {container "exp-15-files-4321", name}; entries
//          azure://kbcfakeaccount.blob.core.windows.net/exp-15-files-4321/<name>part_0000.gz,
//          fetched as <BlobEndpoint>/<container>/<name>...?<SharedAccessSignature>, where the
//          connection string's BlobEndpoint is <object_store_url> (so the account host of the
//          entry is dropped and the container follows the endpoint).
// The file info's "url" is pre-signed (a random X-Amz-Signature / X-Goog-Signature / sig that
// the store checks) and is good for that one object only: the unsliced file or the manifest.
// Slices are named part_NNNN.gz (part_NNNN when not gzipped) and may be empty.
// Tables registered with set_export_slices report "rowsCount": null (the slices are not read).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace da::fakes {

struct FakeMetadata {
  std::string
      key;  // KBC.datatype.basetype, KBC.datatype.type, KBC.datatype.length, KBC.description
  std::string value;
  std::string provider;  // user, ai-metadata-enrichment, keboola.snowflake-transformation, ...
};

struct FakeTable {
  std::string id;    // in.c-crm.orders
  std::string name;  // defaults to the id's last segment
  std::vector<std::string> columns;
  std::vector<std::string> primary_key;
  std::vector<FakeMetadata> metadata;  // of the table itself (KBC.description, ...)
  std::map<std::string, std::vector<FakeMetadata>> column_metadata;
  // Typed tables: the "definition" object of the table detail, as the API returns it
  // ({"primaryKeysNames": [...], "columns": [{"name", "definition": {"type", "nullable",
  // "length"}, "basetype"}]}).
  std::optional<nlohmann::json> definition;
  // Alias tables: the id of the table whose rows (and column metadata) they show.
  std::optional<std::string> alias_of;
  std::string created = "2024-01-01T00:00:00+0000";
};

// One row as stored: values in column order and the time it was last imported or changed
// (Keboola's per-row change timestamp that changedSince/changedUntil filter on).
struct FakeRow {
  std::vector<std::string> values;  // an empty optional is written as an empty field
  int64_t changed_at = 0;           // Unix seconds
};

enum class FakeCloud { kAws, kGcp, kAzure };

struct FakeExportRequest {
  std::string table_id;
  std::map<std::string, std::vector<std::string>> form;  // field name -> values, as posted
};

class FakeKeboola {
 public:
  // Accepts `token` (X-StorageApi-Token) and answers 401 to anything else.
  explicit FakeKeboola(std::string token = "fake-token");
  ~FakeKeboola();
  FakeKeboola(const FakeKeboola&) = delete;
  FakeKeboola& operator=(const FakeKeboola&) = delete;

  std::string url() const;  // http://127.0.0.1:<port> (the stack URL)
  // The object store's endpoint: s3://b/k, gs://b/k and the Azure blob URLs of manifests are
  // served as <object_store_url>/<bucket or container>/<key>.
  std::string object_store_url() const;
  const std::string& token() const { return token_; }

  void add_table(FakeTable table);
  // Rows are imported at `changed_at`; with a primary key a row replaces the stored row of
  // the same key (and takes the new change time), as an incremental load into Keboola does.
  void import_rows(const std::string& table_id, const std::vector<std::vector<std::string>>& rows,
                   int64_t changed_at);
  // Instead of generating the export from rows, every export of the table returns these
  // already gzipped header-less slices (benchmarks).
  void set_export_slices(const std::string& table_id, std::vector<std::filesystem::path> slices);
  // With set_export_slices: exports that carry changedSince return these instead (the rows
  // changed since, for incremental benchmarks).
  void set_changed_export_slices(const std::string& table_id,
                                 std::vector<std::filesystem::path> slices);

  // Exports: how many slices (0 = one unsliced file with a header line; default 2), gzip or
  // not (default yes; an export posted with gzip=0 is never gzipped), which cloud the file
  // info names (default aws), and how many polls a job stays "processing" (default 2).
  void set_slices(int slices);
  void set_gzip(bool gzip);
  void set_cloud(FakeCloud cloud);
  void set_job_polls(int polls);
  // The next export job of the table ends in status "error" with this message.
  void fail_next_export(const std::string& table_id, const std::string& message);

  // The next `count` requests whose path starts with `path_prefix` answer `status` (with
  // Retry-After: retry_after_seconds for 429) / close the connection without an answer /
  // are answered after `delay`.
  void fail_requests(const std::string& path_prefix, int count, int status,
                     int retry_after_seconds = 0);
  void drop_connections(const std::string& path_prefix, int count);
  void delay_requests(const std::string& path_prefix, std::chrono::milliseconds delay,
                      int count = 1'000'000);

  // Observations.
  std::vector<FakeExportRequest> export_requests() const;
  int requests_to(const std::string& path_prefix) const;
  int max_concurrent_downloads() const;  // object store GETs in flight at once
  std::vector<std::string> seen_authorization_headers() const;  // of object store GETs

 private:
  struct State;
  std::string token_;
  std::unique_ptr<State> state_;
};

}  // namespace da::fakes
