// The Keboola Storage API calls the connector needs (https://keboola.docs.apiary.io), over
// libcurl. Every call authenticates with X-StorageApi-Token, has a connect and a total timeout,
// and is repeated under the RetryPolicy on network errors, 429 (honouring Retry-After) and
// 5xx. A failure throws Error(kSource) carrying the call, the HTTP status, the API's message
// and error code, and the request id; Error(kAuth) for a token the API refuses. Messages never
// contain the token. Thread-safe: calls share nothing but the options.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "da/net/retry_policy.hpp"

namespace da::connectors::keboola {

struct ClientOptions {
  std::string stack_url;  // https://connection.keboola.com (no trailing slash needed)
  std::string token;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{120'000};
  net::RetryPolicy retry;
  std::chrono::milliseconds job_poll_first{100};
  std::chrono::milliseconds job_poll_max{20'000};
  std::chrono::milliseconds job_timeout{std::chrono::hours(2)};
};

struct TokenInfo {
  std::string project_id;
  std::string project_name;
  std::string description;  // of the token
};

// One entry of a column's metadata: {key, value, provider}.
struct MetadataEntry {
  std::string key;  // KBC.datatype.basetype, KBC.datatype.type, KBC.datatype.length, ...
  std::string value;
  std::string provider;  // user, ai-metadata-enrichment, keboola.ex-db-mysql, storage, ...
};

// A column of a typed table as its definition declares it.
struct TypedColumn {
  std::string name;
  std::string type;    // native, e.g. NUMBER, VARCHAR, TIMESTAMP_NTZ
  std::string length;  // "38,2", "255" or ""
  std::string basetype;
};

struct TableDetail {
  std::string id;  // in.c-crm.orders
  std::string name;
  std::string bucket_id;
  std::string bucket_name;
  std::vector<std::string> columns;  // in export order
  std::vector<std::string> primary_key;
  std::vector<MetadataEntry> metadata;  // of the table itself (KBC.description, ...)
  std::map<std::string, std::vector<MetadataEntry>> column_metadata;
  std::vector<TypedColumn> typed_columns;  // empty unless the table is typed
  bool is_alias = false;
  std::string source_table_id;  // of an alias
  int64_t rows_count = 0;
  int64_t data_size_bytes = 0;
  std::string created;  // ISO-8601 as the API writes it
  std::string last_import_date;
  std::string last_change_date;
};

// Parses one table object of the API (table detail or an element of the table list); an
// alias's column metadata is its source table's, overridden by its own. Throws Error(kSource)
// on a malformed object.
TableDetail parse_table_json(const std::string& json);

struct WhereFilterParam {
  std::string column;
  std::string op;  // eq, ne, gt, ge, lt, le
  std::vector<std::string> values;
};

struct ExportOptions {
  std::optional<int64_t> changed_since;  // Unix seconds, inclusive
  std::optional<int64_t> changed_until;  // Unix seconds, exclusive
  std::vector<std::string> columns;      // empty: every column
  std::vector<WhereFilterParam> where_filters;
  bool gzip = true;
};

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};

// A file of Storage Files (an export result), as GET /v2/storage/files/{id}?federationToken=1
// describes it.
struct FileInfo {
  int64_t id = 0;
  std::string name;
  std::string url;  // pre-signed: the file itself, or the manifest of a sliced file
  bool sliced = false;
  int64_t size_bytes = 0;
  std::string provider;  // aws, gcp or azure
  std::string region;
  AwsCredentials aws;
  std::string gcs_access_token;
  std::string abs_sas_connection_string;  // BlobEndpoint=...;SharedAccessSignature=...
};

class StorageClient {
 public:
  explicit StorageClient(ClientOptions options);

  const ClientOptions& options() const { return options_; }

  // GET /v2/storage/tokens/verify: whose token this is.
  TokenInfo verify_token() const;
  // GET /v2/storage/tables?include=buckets,columns,metadata,columnMetadata
  // Also returns each table's JSON object in `raw_json` when given.
  std::vector<TableDetail> list_tables(std::vector<std::string>* raw_json = nullptr) const;
  // GET /v2/storage/tables/{id}. Also returns the raw JSON in `raw_json` when given.
  TableDetail table(const std::string& table_id, std::string* raw_json = nullptr) const;
  // POST /v2/storage/tables/{id}/export-async (format rfc): the export job's id.
  int64_t start_export(const std::string& table_id, const ExportOptions& options) const;
  // Polls GET /v2/storage/jobs/{id} with capped exponential backoff until the job ends;
  // returns the id of the file it produced. Throws Error(kSource) when the job fails (with the
  // job's message) or does not end within job_timeout.
  int64_t wait_for_export(int64_t job_id, const std::string& table_id) const;
  // GET /v2/storage/files/{id}?federationToken=1
  FileInfo file_info(int64_t file_id) const;
  // The slice URLs of a sliced file's manifest, in manifest order.
  std::vector<std::string> slice_urls(const FileInfo& file) const;

 private:
  std::string get(const std::string& path) const;
  std::string post_form(const std::string& path,
                        const std::vector<std::pair<std::string, std::string>>& fields) const;
  std::string call(const std::string& method, const std::string& path,
                   const std::string& body) const;

  ClientOptions options_;
};

}  // namespace da::connectors::keboola
