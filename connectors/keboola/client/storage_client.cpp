#include "keboola/client/storage_client.hpp"

#include <algorithm>
#include <thread>

#include <nlohmann/json.hpp>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/net/http_client.hpp"

namespace da::connectors::keboola {

using Json = nlohmann::json;

namespace {

std::string text_of(const Json& object, const char* key) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return {};
  if (found->is_string()) return found->get<std::string>();
  return found->dump();
}

int64_t int_of(const Json& object, const char* key) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return 0;
  if (found->is_number_integer()) return found->get<int64_t>();
  if (found->is_string()) {
    try {
      return std::stoll(found->get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

std::vector<std::string> strings_of(const Json& object, const char* key) {
  std::vector<std::string> out;
  auto found = object.find(key);
  if (found == object.end() || !found->is_array()) return out;
  for (const Json& item : *found) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (item.is_object() && item.contains("name")) {
      out.push_back(text_of(item, "name"));
    }
  }
  return out;
}

// columnMetadata: {"column": [{"key", "value", "provider", ...}, ...], ...}
void read_column_metadata(const Json& object,
                          std::map<std::string, std::vector<MetadataEntry>>& out) {
  if (!object.is_object()) return;
  for (const auto& [column, entries] : object.items()) {
    if (!entries.is_array()) continue;
    std::vector<MetadataEntry>& list = out[column];
    for (const Json& entry : entries) {
      if (!entry.is_object()) continue;
      MetadataEntry item{text_of(entry, "key"), text_of(entry, "value"),
                         text_of(entry, "provider")};
      // An entry of the same key and provider replaces the inherited one.
      auto same = std::find_if(list.begin(), list.end(), [&](const MetadataEntry& existing) {
        return existing.key == item.key && existing.provider == item.provider;
      });
      if (same != list.end()) {
        *same = std::move(item);
      } else {
        list.push_back(std::move(item));
      }
    }
  }
}

TableDetail parse_table(const Json& object) {
  if (!object.is_object() || !object.contains("id"))
    throw Error(ErrorKind::kSource, "Keboola Storage API: a table object without an id");
  TableDetail table;
  table.id = text_of(object, "id");
  table.name = text_of(object, "name");
  if (table.name.empty()) table.name = table.id.substr(table.id.rfind('.') + 1);
  if (auto bucket = object.find("bucket"); bucket != object.end() && bucket->is_object()) {
    table.bucket_id = text_of(*bucket, "id");
    table.bucket_name = text_of(*bucket, "name");
  }
  if (table.bucket_id.empty()) table.bucket_id = table.id.substr(0, table.id.rfind('.'));
  table.columns = strings_of(object, "columns");
  table.primary_key = strings_of(object, "primaryKey");
  table.is_alias = object.value("isAlias", false);
  if (auto source = object.find("sourceTable"); source != object.end() && source->is_object()) {
    table.source_table_id = text_of(*source, "id");
    if (auto metadata = source->find("columnMetadata"); metadata != source->end())
      read_column_metadata(*metadata, table.column_metadata);
  }
  if (auto metadata = object.find("columnMetadata"); metadata != object.end())
    read_column_metadata(*metadata, table.column_metadata);
  if (auto metadata = object.find("metadata"); metadata != object.end() && metadata->is_array()) {
    for (const Json& entry : *metadata) {
      if (entry.is_object())
        table.metadata.push_back(
            {text_of(entry, "key"), text_of(entry, "value"), text_of(entry, "provider")});
    }
  }
  if (auto definition = object.find("definition");
      definition != object.end() && definition->is_object()) {
    for (const Json& column : definition->value("columns", Json::array())) {
      if (!column.is_object()) continue;
      TypedColumn typed{text_of(column, "name"), "", "", text_of(column, "basetype")};
      if (auto spec = column.find("definition"); spec != column.end() && spec->is_object()) {
        typed.type = text_of(*spec, "type");
        typed.length = text_of(*spec, "length");
      }
      table.typed_columns.push_back(std::move(typed));
    }
  }
  table.rows_count = int_of(object, "rowsCount");
  table.data_size_bytes = int_of(object, "dataSizeBytes");
  table.created = text_of(object, "created");
  table.last_import_date = text_of(object, "lastImportDate");
  table.last_change_date = text_of(object, "lastChangeDate");
  return table;
}

Json parse_json(const std::string& body, const std::string& what) {
  try {
    return Json::parse(body);
  } catch (const Json::exception&) {
    throw Error(ErrorKind::kSource,
                "Keboola Storage API: " + what +
                    " answered something that is not JSON: " + body.substr(0, 200));
  }
}

// "answered 404: The table was not found (code storage.tables.notFound, request id 4f2a)".
std::string describe_failure(const net::HttpResponse& response) {
  std::string message, code, exception_id;
  try {
    Json body = Json::parse(response.body);
    if (body.is_object()) {
      message = text_of(body, "error");
      if (message.empty()) message = text_of(body, "message");
      code = text_of(body, "code");
      exception_id = text_of(body, "exceptionId");
    }
  } catch (const Json::exception&) {
    message = std::string(trim(response.body.substr(0, 200)));
  }
  std::string text = "answered " + std::to_string(response.status);
  if (!message.empty()) text += ": " + message;
  std::vector<std::string> details;
  if (!code.empty()) details.push_back("code " + code);
  if (std::string id = response.header("X-Request-Id"); !id.empty())
    details.push_back("request id " + id);
  if (!exception_id.empty()) details.push_back("exception " + exception_id);
  if (!details.empty()) text += " (" + join(details, ", ") + ")";
  return text;
}

std::string epoch_text(int64_t seconds) {
  return std::to_string(seconds);
}

}  // namespace

TableDetail parse_table_json(const std::string& json) {
  return parse_table(parse_json(json, "a table"));
}

StorageClient::StorageClient(ClientOptions options) : options_(std::move(options)) {
  while (!options_.stack_url.empty() && options_.stack_url.back() == '/')
    options_.stack_url.pop_back();
}

std::string StorageClient::call(const std::string& method, const std::string& path,
                                const std::string& body) const {
  net::HttpRequest request;
  request.method = method;
  request.url = options_.stack_url + path;
  request.headers = {{"X-StorageApi-Token", options_.token},
                     {"Accept", "application/json"},
                     {"User-Agent", "da-keboola-connector"}};
  if (method == "POST")
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.body = body;
  request.connect_timeout = options_.connect_timeout;
  request.total_timeout = options_.request_timeout;
  std::string where = method + " " + path.substr(0, path.find('?'));
  net::HttpResponse response;
  try {
    response =
        net::run_with_retries(options_.retry, [&] { return net::HttpClient().send(request); });
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kSource) throw;
    throw Error(ErrorKind::kSource, "Keboola Storage API " + where + " failed after " +
                                        std::to_string(options_.retry.max_attempts) +
                                        " attempts: " + e.what());
  }
  if (response.status / 100 == 2) return std::move(response.body);
  if (response.status == 401) {
    throw Error(ErrorKind::kAuth,
                "Keboola Storage API refused the token (" + where + " " +
                    describe_failure(response) +
                    "); check data_source.keboola.storage_token (KEBOOLA_STORAGE_TOKEN) and "
                    "data_source.keboola.stack_url");
  }
  std::string attempts = net::RetryPolicy::retryable_status(response.status)
                             ? " after " + std::to_string(options_.retry.max_attempts) + " attempts"
                             : "";
  throw Error(response.status == 404 ? ErrorKind::kNotFound : ErrorKind::kSource,
              "Keboola Storage API " + where + " " + describe_failure(response) + attempts);
}

std::string StorageClient::get(const std::string& path) const {
  return call("GET", path, "");
}

std::string StorageClient::post_form(
    const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields) const {
  return call("POST", path, net::form_encode(fields));
}

TokenInfo StorageClient::verify_token() const {
  Json body = parse_json(get("/v2/storage/tokens/verify"), "the token check");
  TokenInfo info;
  info.description = text_of(body, "description");
  if (auto owner = body.find("owner"); owner != body.end() && owner->is_object()) {
    info.project_id = text_of(*owner, "id");
    info.project_name = text_of(*owner, "name");
  }
  return info;
}

std::vector<TableDetail> StorageClient::list_tables(std::vector<std::string>* raw_json) const {
  Json body = parse_json(get("/v2/storage/tables?include=buckets,columns,metadata,columnMetadata"),
                         "the table list");
  if (!body.is_array())
    throw Error(ErrorKind::kSource, "Keboola Storage API: the table list is not a JSON array");
  std::vector<TableDetail> tables;
  for (const Json& object : body) {
    tables.push_back(parse_table(object));
    if (raw_json) raw_json->push_back(object.dump());
  }
  return tables;
}

TableDetail StorageClient::table(const std::string& table_id, std::string* raw_json) const {
  std::string body = get("/v2/storage/tables/" + net::url_encode(table_id));
  TableDetail table = parse_table(parse_json(body, "table " + table_id));
  if (raw_json) *raw_json = std::move(body);
  return table;
}

int64_t StorageClient::start_export(const std::string& table_id,
                                    const ExportOptions& options) const {
  std::vector<std::pair<std::string, std::string>> fields{{"format", "rfc"},
                                                          {"gzip", options.gzip ? "1" : "0"}};
  if (options.changed_since)
    fields.emplace_back("changedSince", epoch_text(*options.changed_since));
  if (options.changed_until)
    fields.emplace_back("changedUntil", epoch_text(*options.changed_until));
  if (!options.columns.empty()) fields.emplace_back("columns", join(options.columns, ","));
  for (size_t i = 0; i < options.where_filters.size(); ++i) {
    const WhereFilterParam& filter = options.where_filters[i];
    std::string prefix = "whereFilters[" + std::to_string(i) + "]";
    fields.emplace_back(prefix + "[column]", filter.column);
    fields.emplace_back(prefix + "[operator]", filter.op);
    for (size_t j = 0; j < filter.values.size(); ++j)
      fields.emplace_back(prefix + "[values][" + std::to_string(j) + "]", filter.values[j]);
  }
  Json job = parse_json(
      post_form("/v2/storage/tables/" + net::url_encode(table_id) + "/export-async", fields),
      "the export of " + table_id);
  int64_t id = int_of(job, "id");
  if (id == 0)
    throw Error(ErrorKind::kSource,
                "Keboola Storage API: the export of " + table_id + " did not return a job id");
  return id;
}

int64_t StorageClient::wait_for_export(int64_t job_id, const std::string& table_id) const {
  auto deadline = std::chrono::steady_clock::now() + options_.job_timeout;
  auto pause = options_.job_poll_first;
  std::string status;
  for (;;) {
    Json job = parse_json(get("/v2/storage/jobs/" + std::to_string(job_id)), "a job");
    status = text_of(job, "status");
    if (status == "success") {
      const Json& results = job.value("results", Json::object());
      int64_t file_id =
          results.is_object() && results.contains("file") ? int_of(results["file"], "id") : 0;
      if (file_id == 0)
        throw Error(ErrorKind::kSource, "Keboola export job " + std::to_string(job_id) + " of " +
                                            table_id + " succeeded without a result file");
      return file_id;
    }
    if (status == "error" || status == "cancelled" || status == "terminated") {
      std::string message = "no message";
      if (auto error = job.find("error"); error != job.end() && error->is_object())
        message = text_of(*error, "message");
      throw Error(ErrorKind::kSource, "Keboola export job " + std::to_string(job_id) + " of " +
                                          table_id + " ended with status " + status + ": " +
                                          message);
    }
    if (status != "waiting" && status != "processing")
      throw Error(ErrorKind::kSource, "Keboola export job " + std::to_string(job_id) + " of " +
                                          table_id + " has an unknown status '" + status + "'");
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, options_.job_poll_max);
  }
  throw Error(
      ErrorKind::kSource,
      "Keboola export job " + std::to_string(job_id) + " of " + table_id +
          " did not finish within " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(options_.job_timeout).count()) +
          " s (last status: " + status + ")");
}

FileInfo StorageClient::file_info(int64_t file_id) const {
  Json body = parse_json(get("/v2/storage/files/" + std::to_string(file_id) + "?federationToken=1"),
                         "file " + std::to_string(file_id));
  FileInfo file;
  file.id = file_id;
  file.name = text_of(body, "name");
  file.url = text_of(body, "url");
  file.sliced = body.value("isSliced", false);
  file.size_bytes = int_of(body, "sizeBytes");
  file.provider = text_of(body, "provider");
  file.region = text_of(body, "region");
  if (auto credentials = body.find("credentials");
      credentials != body.end() && credentials->is_object()) {
    file.aws = {text_of(*credentials, "AccessKeyId"), text_of(*credentials, "SecretAccessKey"),
                text_of(*credentials, "SessionToken")};
  }
  if (auto gcs = body.find("gcsCredentials"); gcs != body.end() && gcs->is_object())
    file.gcs_access_token = text_of(*gcs, "access_token");
  if (auto abs = body.find("absCredentials"); abs != body.end() && abs->is_object())
    file.abs_sas_connection_string = text_of(*abs, "SASConnectionString");
  if (file.url.empty())
    throw Error(ErrorKind::kSource,
                "Keboola Storage API: file " + std::to_string(file_id) + " has no download URL");
  return file;
}

std::vector<std::string> StorageClient::slice_urls(const FileInfo& file) const {
  net::HttpRequest request;
  request.url = file.url;
  request.connect_timeout = options_.connect_timeout;
  request.total_timeout = options_.request_timeout;
  net::HttpResponse response =
      net::run_with_retries(options_.retry, [&] { return net::HttpClient().send(request); });
  std::string where = "the manifest of file " + std::to_string(file.id);
  if (response.status / 100 != 2)
    throw Error(ErrorKind::kSource,
                "Keboola: downloading " + where + " " + describe_failure(response));
  Json manifest = parse_json(response.body, where);
  std::vector<std::string> urls;
  for (const Json& entry : manifest.value("entries", Json::array())) {
    std::string url = entry.is_object() ? text_of(entry, "url") : "";
    if (url.empty())
      throw Error(ErrorKind::kSource, "Keboola: " + where + " has an entry without a url");
    urls.push_back(std::move(url));
  }
  return urls;
}

}  // namespace da::connectors::keboola
