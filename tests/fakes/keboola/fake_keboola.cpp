#include "fakes/keboola/fake_keboola.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "fakes/keboola/aws_sigv4.hpp"
#include "fakes/keboola/wire_server.hpp"

#include "da/common/crypto.hpp"
#include "da/common/strings.hpp"
#include "da/net/http_client.hpp"
#include "da/web/gzip.hpp"

namespace da::fakes {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::string_view kObjectsPrefix = "/objects/";
constexpr std::string_view kApiPrefix = "/v2/storage";
constexpr char kBucket[] = "kbc-fake-bucket";
constexpr char kAzureAccount[] = "kbcfakeaccount";
constexpr char kAzureContainer[] = "exp-15-files-4321";
constexpr char kRegion[] = "us-east-1";
constexpr int64_t kProjectId = 4321;
constexpr char kProjectName[] = "Fake Project";
constexpr int64_t kCredentialSeconds = 3600;

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string format_time(int64_t seconds, const char* format) {
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char text[64];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

// Keboola's own timestamp form.
std::string iso_time(int64_t seconds) {
  return format_time(seconds, "%Y-%m-%dT%H:%M:%S+0000");
}

std::optional<int> digits(std::string_view text, std::size_t& at, std::size_t count) {
  if (at + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[at + i]))) return std::nullopt;
    value = value * 10 + (text[at + i] - '0');
  }
  at += count;
  return value;
}

bool expect(std::string_view text, std::size_t& at, char c) {
  if (at >= text.size() || text[at] != c) return false;
  ++at;
  return true;
}

// Seconds east of UTC of a "Z", "+01:00" or "-0130" suffix starting at `at`; nullopt if malformed.
std::optional<int64_t> zone_offset(std::string_view text, std::size_t at) {
  if (at == text.size()) return 0;
  if (text.substr(at) == "Z") return 0;
  if (text[at] != '+' && text[at] != '-') return std::nullopt;
  int sign = text[at] == '-' ? -1 : 1;
  ++at;
  auto hours = digits(text, at, 2);
  expect(text, at, ':');
  auto minutes = at == text.size() ? std::optional<int>(0) : digits(text, at, 2);
  if (!hours || !minutes || at != text.size()) return std::nullopt;
  return sign * (*hours * 3600 + *minutes * 60);
}

// Unix seconds, or an ISO-8601 date or date-time ("2024-01-02", "2024-01-02T10:00:00Z",
// "2024-01-02 10:00:00+01:00", fractions ignored).
std::optional<int64_t> parse_time(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  bool all_digits = std::all_of(text.begin() + (text[0] == '-' ? 1 : 0), text.end(),
                                [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (all_digits && text.size() > (text[0] == '-' ? 1u : 0u)) return std::stoll(std::string(text));
  std::size_t at = 0;
  std::tm tm{};
  auto year = digits(text, at, 4);
  bool ok = year && expect(text, at, '-');
  auto month = digits(text, at, 2);
  ok = ok && month && expect(text, at, '-');
  auto day = digits(text, at, 2);
  if (!ok || !day) return std::nullopt;
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  if (at < text.size() && (text[at] == 'T' || text[at] == ' ')) {
    ++at;
    auto hour = digits(text, at, 2);
    auto minute = expect(text, at, ':') ? digits(text, at, 2) : std::nullopt;
    if (!hour || !minute) return std::nullopt;
    tm.tm_hour = *hour;
    tm.tm_min = *minute;
    if (at < text.size() && text[at] == ':') {
      ++at;
      auto second = digits(text, at, 2);
      if (!second) return std::nullopt;
      tm.tm_sec = *second;
      if (at < text.size() && text[at] == '.') {
        ++at;
        while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])))
          ++at;
      }
    }
  }
  auto offset = zone_offset(text, at);
  if (!offset) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) - *offset;
}

std::string csv_line(const std::vector<std::string>& values) {
  std::string line;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) line += ',';
    line += '"' + replace_all(values[i], "\"", "\"\"") + '"';
  }
  return line + "\n";
}

std::string bucket_id_of(const std::string& table_id) {
  return table_id.substr(0, table_id.rfind('.'));
}

json bucket_json(const std::string& bucket_id) {
  std::vector<std::string> parts = split(bucket_id, '.');
  std::string name = parts.size() > 1 ? parts[1] : bucket_id;
  if (name.rfind("c-", 0) == 0) name = name.substr(2);
  return {{"id", bucket_id},
          {"name", name},
          {"displayName", name},
          {"stage", parts[0]},
          {"description", ""},
          {"backend", "snowflake"},
          {"created", "2024-01-01T00:00:00+0000"}};
}

std::string random_hex(std::size_t bytes) {
  return lower_hex(random_bytes(bytes));
}

std::string random_access_key_id() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string id = "ASIA";
  for (unsigned char c : random_bytes(16))
    id += kAlphabet[c % 32];
  return id;
}

WireResponse json_response(int status, const json& body) {
  WireResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  response.body = body.dump();
  return response;
}

WireResponse api_error(int status, const std::string& code, const std::string& message) {
  return json_response(status, {{"error", message},
                                {"code", code},
                                {"status", "error"},
                                {"exceptionId", "exception-" + random_hex(16)}});
}

WireResponse xml_error(int status, const std::string& code, const std::string& message) {
  WireResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/xml");
  response.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
                  "</Code><Message>" + message + "</Message><RequestId>" + random_hex(8) +
                  "</RequestId></Error>";
  return response;
}

std::optional<double> as_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

struct WhereFilter {
  std::string column;
  std::string op = "eq";
  std::vector<std::string> values;
  std::size_t index = 0;  // of the column in the table
};

bool matches(const WhereFilter& filter, const std::string& value) {
  if (filter.op == "eq" || filter.op == "ne") {
    bool listed =
        std::find(filter.values.begin(), filter.values.end(), value) != filter.values.end();
    return filter.op == "eq" ? listed : !listed;
  }
  const std::string& bound = filter.values.front();
  int order;
  auto left = as_number(value);
  auto right = as_number(bound);
  if (left && right)
    order = *left < *right ? -1 : (*left > *right ? 1 : 0);
  else
    order = value.compare(bound) < 0 ? -1 : (value.compare(bound) > 0 ? 1 : 0);
  if (filter.op == "lt") return order < 0;
  if (filter.op == "le") return order <= 0;
  if (filter.op == "gt") return order > 0;
  return order >= 0;
}

using Form = std::map<std::string, std::vector<std::string>>;

// A JSON body as the equivalent form fields: {"columns": ["a"]} -> columns[0]=a.
void flatten(const json& value, const std::string& name, Form& form) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items())
      flatten(item, name.empty() ? key : name + "[" + key + "]", form);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      flatten(value[i], name + "[" + std::to_string(i) + "]", form);
  } else if (value.is_string()) {
    form[name].push_back(value.get<std::string>());
  } else if (value.is_boolean()) {
    form[name].push_back(value.get<bool>() ? "1" : "0");
  } else if (!value.is_null()) {
    form[name].push_back(value.dump());
  }
}

Form parse_form(const WireRequest& request) {
  Form form;
  if (request.header("content-type").find("json") != std::string::npos) {
    json body = json::parse(request.body, nullptr, false);
    if (!body.is_discarded()) flatten(body, "", form);
    return form;
  }
  for (auto& [name, value] : parse_urlencoded(request.body))
    form[name].push_back(value);
  return form;
}

// "[12]" at `at` -> 12 and `at` past it; "[]" -> a large index so it sorts after numbered ones.
std::optional<long> bracket_index(const std::string& name, std::size_t& at) {
  auto close = name.find(']', at);
  if (at >= name.size() || name[at] != '[' || close == std::string::npos) return std::nullopt;
  std::string inside = name.substr(at + 1, close - at - 1);
  at = close + 1;
  if (inside.empty()) return 1L << 40;
  if (!std::all_of(inside.begin(), inside.end(), [](char c) { return std::isdigit(c); }))
    return std::nullopt;
  return std::stol(inside);
}

std::string first(const Form& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() || it->second.empty() ? "" : it->second.front();
}

// The requested columns in order: "columns=a,b", "columns[]=a" or "columns[0]=a".
std::vector<std::string> requested_columns(const Form& form) {
  std::vector<std::pair<long, std::string>> indexed;
  long order = 0;
  for (const auto& [name, values] : form) {
    if (name == "columns") {
      for (const auto& value : values)
        for (auto& column : split_trimmed(value, ','))
          indexed.emplace_back(order++, column);
    } else if (name.rfind("columns[", 0) == 0) {
      std::size_t at = 7;
      auto index = bracket_index(name, at);
      if (!index || at != name.size()) continue;
      for (const auto& value : values)
        indexed.emplace_back(*index + order++, value);
    }
  }
  std::stable_sort(indexed.begin(), indexed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> columns;
  for (auto& [index, column] : indexed)
    columns.push_back(column);
  return columns;
}

// whereFilters[i][column|operator|dataType] and whereFilters[i][values][j]; throws
// std::invalid_argument with the API's message when malformed.
std::vector<WhereFilter> where_filters(const Form& form) {
  std::map<long, WhereFilter> filters;
  std::map<long, std::vector<std::pair<long, std::string>>> values;
  for (const auto& [name, posted] : form) {
    if (name.rfind("whereFilters[", 0) != 0) continue;
    std::size_t at = 12;
    auto index = bracket_index(name, at);
    auto close = name.find(']', at);
    if (!index || at >= name.size() || close == std::string::npos)
      throw std::invalid_argument("Invalid whereFilters field \"" + name + "\"");
    std::string field = name.substr(at + 1, close - at - 1);
    at = close + 1;
    WhereFilter& filter = filters[*index];
    if (field == "column") {
      filter.column = posted.front();
    } else if (field == "operator") {
      filter.op = posted.front();
    } else if (field == "values") {
      auto value_index =
          at == name.size() ? std::optional<long>(1L << 40) : bracket_index(name, at);
      if (!value_index) throw std::invalid_argument("Invalid whereFilters field \"" + name + "\"");
      for (const auto& value : posted)
        values[*index].emplace_back(*value_index, value);
    }
  }
  std::vector<WhereFilter> result;
  for (auto& [index, filter] : filters) {
    auto& list = values[index];
    std::stable_sort(list.begin(), list.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [order, value] : list)
      filter.values.push_back(value);
    static const std::set<std::string> kOperators = {"eq", "ne", "lt", "le", "gt", "ge"};
    if (filter.column.empty()) throw std::invalid_argument("whereFilters need a column");
    if (!kOperators.contains(filter.op))
      throw std::invalid_argument("Invalid where operator \"" + filter.op + "\"");
    if (filter.values.empty())
      throw std::invalid_argument("whereFilters of column \"" + filter.column + "\" need values");
    result.push_back(std::move(filter));
  }
  return result;
}

json form_json(const Form& form) {
  json params = json::object();
  for (const auto& [name, values] : form)
    params[name] = values.size() == 1 ? json(values.front()) : json(values);
  return params;
}

}  // namespace

struct FakeKeboola::State {
  struct TableState {
    FakeTable table;
    json column_metadata = json::object();
    json metadata = json::array();
    std::vector<FakeRow> rows;
    std::unordered_map<std::string, std::size_t> row_of_key;
    std::optional<std::vector<fs::path>> slices;
    std::optional<std::vector<fs::path>> changed_slices;  // for exports with changedSince
    int64_t slices_at = 0;
  };
  struct StoredObject {
    std::string content;
    std::optional<fs::path> path;  // served from disk instead of `content`
    uint64_t size = 0;
    int64_t file_id = 0;
    bool manifest = false;
  };
  struct ExportFile {
    int64_t id = 0;
    std::string name;
    bool sliced = false;
    FakeCloud cloud = FakeCloud::kAws;
    std::string key;      // s3Path/gcsPath key, absPath name
    std::string url_key;  // the object the pre-signed url names
    std::string url;
    std::string url_signature;
    uint64_t size_bytes = 0;
    int64_t created = 0;
    AwsCredentials aws;
    std::string gcs_token;
    std::string sas_signature;
  };
  struct Job {
    int64_t id = 0;
    std::string table_id;
    json params;
    int polls = 0;
    int64_t file_id = 0;
    std::string error;
    int64_t created = 0;
    bool gzip = true;
  };
  struct Rule {
    enum class Kind { kFail, kDrop, kDelay } kind;
    std::string prefix;
    int remaining = 0;
    int status = 0;
    int retry_after = 0;
    std::chrono::milliseconds delay{0};
  };

  explicit State(std::string token) : token(std::move(token)) {}

  WireResponse handle(const WireRequest& request);
  WireResponse route_api(const WireRequest& request);
  WireResponse serve_object(const WireRequest& request);
  std::optional<WireResponse> refuse_object(const WireRequest& request, const StoredObject& object,
                                            const std::string& object_key);
  WireResponse object_body(const WireRequest& request, const StoredObject& object);
  WireResponse export_async(const std::string& table_id, const WireRequest& request);
  WireResponse job(int64_t id);
  WireResponse file_info(int64_t id, bool federation);
  json table_json(const TableState& table, const std::set<std::string>& include);
  json token_json() const;
  const TableState* find(const std::string& table_id) const;
  // The table that is to serve `slices`; throws std::invalid_argument for an unknown table or
  // a slice that is not a file.
  TableState& table_for_slices(const std::string& table_id, const std::vector<fs::path>& slices);
  const TableState& rows_of(const TableState& table) const;
  std::vector<std::string> columns_of(const TableState& table) const;
  ExportFile new_file(const std::string& table_id, bool gzip, bool sliced);
  void store_file(ExportFile file, const std::vector<std::string>& parts);
  void store_disk_file(ExportFile file, const std::vector<fs::path>& slices);
  std::string container() const { return cloud == FakeCloud::kAzure ? kAzureContainer : kBucket; }
  std::string entry_url(const std::string& key) const;
  std::string object_url(const std::string& key) const;

  mutable std::mutex mutex;
  std::string token;
  std::string base_url;
  std::map<std::string, TableState> tables;
  int slices = 2;
  bool gzip = true;
  FakeCloud cloud = FakeCloud::kAws;
  int job_polls = 2;
  std::map<std::string, std::string> failing_exports;
  std::map<int64_t, Job> jobs;
  std::map<int64_t, ExportFile> files;
  std::map<std::string, StoredObject> objects;  // "<bucket or container>/<key>"
  int64_t next_job = 1'000'001;
  int64_t next_file = 2'000'001;
  int64_t next_metadata = 1;
  std::vector<Rule> rules;
  std::vector<FakeExportRequest> exports;
  std::vector<std::string> paths;
  int downloads = 0;
  int max_downloads = 0;
  std::vector<std::string> authorization_headers;
  std::unique_ptr<WireServer> server;  // last, and stopped first by ~FakeKeboola
};

// --- request dispatch -------------------------------------------------------------------------

WireResponse FakeKeboola::State::handle(const WireRequest& request) {
  std::unique_lock lock(mutex);
  paths.push_back(request.path);
  std::chrono::milliseconds delay{0};
  Rule* drop = nullptr;
  Rule* fail = nullptr;
  for (Rule& rule : rules) {
    if (rule.remaining <= 0 || !request.path.starts_with(rule.prefix)) continue;
    if (rule.kind == Rule::Kind::kDelay && delay.count() == 0) {
      delay = rule.delay;
      --rule.remaining;
    } else if (rule.kind == Rule::Kind::kDrop && !drop) {
      drop = &rule;
    } else if (rule.kind == Rule::Kind::kFail && !fail) {
      fail = &rule;
    }
  }
  bool is_object = request.path.starts_with(kObjectsPrefix);
  WireResponse response;
  if (drop) {
    --drop->remaining;
    response.drop = true;
  } else if (fail) {
    --fail->remaining;
    response = is_object
                   ? xml_error(fail->status, fail->status == 503 ? "SlowDown" : "InternalError",
                               "Injected failure")
                   : api_error(fail->status, "fake.injected",
                               "Injected failure (HTTP " + std::to_string(fail->status) + ")");
    if (fail->status == 429)
      response.headers.emplace_back("Retry-After", std::to_string(fail->retry_after));
  } else {
    try {
      response = is_object ? serve_object(request) : route_api(request);
    } catch (const std::exception& error) {
      response = api_error(500, "fake.internal", error.what());
    }
  }
  response.delay = delay;
  response.headers.emplace_back("X-Request-Id", random_hex(16));
  return response;
}

WireResponse FakeKeboola::State::route_api(const WireRequest& request) {
  if (!request.path.starts_with(kApiPrefix))
    return api_error(404, "notFound", "Route \"" + request.path + "\" not found");
  if (!constant_time_equal(request.header("x-storageapi-token"), token))
    return api_error(401, "storage.tokenInvalid", "Invalid access token");
  std::vector<std::string> parts;
  for (const auto& part : split(std::string_view(request.path).substr(kApiPrefix.size()), '/'))
    if (!part.empty()) parts.push_back(percent_decode(part, false));
  Form query;
  for (auto& [name, value] : parse_urlencoded(request.query))
    query[name].push_back(value);
  const std::string& method = request.method;
  auto is = [&](std::initializer_list<std::string_view> words) {
    if (parts.size() != words.size()) return false;
    std::size_t i = 0;
    for (auto word : words) {
      if (word != "*" && parts[i] != word) return false;
      ++i;
    }
    return true;
  };
  auto number = [](const std::string& text) -> int64_t {
    try {
      return std::stoll(text);
    } catch (const std::exception&) {
      return -1;
    }
  };
  if (method == "GET" && is({"tokens", "verify"})) return json_response(200, token_json());
  if (method == "GET" && is({"buckets"})) {
    std::set<std::string> ids;
    for (const auto& [id, table] : tables)
      ids.insert(bucket_id_of(id));
    json list = json::array();
    for (const auto& id : ids)
      list.push_back(bucket_json(id));
    return json_response(200, list);
  }
  std::set<std::string> include;
  for (auto& item : split_trimmed(first(query, "include"), ','))
    include.insert(item);
  if (method == "GET" && (is({"tables"}) || is({"buckets", "*", "tables"}))) {
    json list = json::array();
    for (const auto& [id, table] : tables)
      if (parts.size() == 1 || bucket_id_of(id) == parts[1])
        list.push_back(table_json(table, include));
    return json_response(200, list);
  }
  if (parts.size() >= 2 && parts[0] == "tables" && !find(parts[1]))
    return api_error(404, "storage.tables.notFound",
                     "The table \"" + parts[1] + "\" was not found in the bucket \"" +
                         bucket_id_of(parts[1]) + "\" in the project \"" +
                         std::to_string(kProjectId) + "\"");
  if (method == "GET" && is({"tables", "*"}))
    return json_response(200,
                         table_json(*find(parts[1]), {"columns", "buckets", "columnMetadata"}));
  if (method == "POST" && is({"tables", "*", "export-async"}))
    return export_async(parts[1], request);
  if (method == "GET" && is({"jobs", "*"})) return job(number(parts[1]));
  if (method == "GET" && is({"files", "*"})) {
    std::string federation = first(query, "federationToken");
    return file_info(number(parts[1]), federation == "1" || federation == "true");
  }
  return api_error(404, "notFound", "Route \"" + method + " " + request.path + "\" not found");
}

// --- tables -----------------------------------------------------------------------------------

const FakeKeboola::State::TableState* FakeKeboola::State::find(const std::string& table_id) const {
  auto it = tables.find(table_id);
  return it == tables.end() ? nullptr : &it->second;
}

// An alias shows its source table's rows.
const FakeKeboola::State::TableState& FakeKeboola::State::rows_of(const TableState& table) const {
  if (table.table.alias_of)
    if (const TableState* source = find(*table.table.alias_of)) return *source;
  return table;
}

std::vector<std::string> FakeKeboola::State::columns_of(const TableState& table) const {
  return table.table.columns.empty() ? rows_of(table).table.columns : table.table.columns;
}

json FakeKeboola::State::table_json(const TableState& state, const std::set<std::string>& include) {
  const FakeTable& table = state.table;
  const TableState& data = rows_of(state);
  int64_t last_change = 0;
  uint64_t bytes = 0;
  for (const FakeRow& row : data.rows) {
    last_change = std::max(last_change, row.changed_at);
    for (const auto& value : row.values)
      bytes += value.size() + 3;
  }
  json rows_count = data.rows.size();
  if (data.slices) {
    rows_count = nullptr;
    bytes = 0;
    for (const auto& slice : *data.slices)
      bytes += fs::file_size(slice);
    last_change = data.slices_at;
  }
  json last_import = last_change > 0 ? json(iso_time(last_change)) : json(nullptr);
  json object = {{"uri", base_url + "/v2/storage/tables/" + table.id},
                 {"id", table.id},
                 {"name", table.name},
                 {"displayName", table.name},
                 {"transactional", false},
                 {"primaryKey", table.primary_key},
                 {"created", table.created},
                 {"lastImportDate", last_import},
                 {"lastChangeDate", last_import},
                 {"rowsCount", rows_count},
                 {"dataSizeBytes", bytes},
                 {"isAlias", table.alias_of.has_value()},
                 {"isAliasable", true},
                 {"isTyped", table.definition.has_value()},
                 {"attributes", json::array()},
                 {"metadata", state.metadata}};
  if (include.contains("columns")) object["columns"] = columns_of(state);
  if (include.contains("buckets")) object["bucket"] = bucket_json(bucket_id_of(table.id));
  if (include.contains("columnMetadata")) object["columnMetadata"] = state.column_metadata;
  if (table.definition) object["definition"] = *table.definition;
  if (table.alias_of) {
    object["aliasColumnsAutoSync"] = table.columns.empty();
    object["sourceTable"] = {
        {"id", *table.alias_of},
        {"uri", base_url + "/v2/storage/tables/" + *table.alias_of},
        {"name", data.table.name},
        {"project", {{"id", kProjectId}, {"name", kProjectName}}},
        {"columnMetadata", &data == &state ? json::object() : data.column_metadata}};
  }
  return object;
}

json FakeKeboola::State::token_json() const {
  static const char* kProviders[] = {"aws", "gcp", "azure"};
  return {{"id", "123"},
          {"description", "fake token"},
          {"created", "2024-01-01T00:00:00+0000"},
          {"isMasterToken", true},
          {"canManageBuckets", true},
          {"canManageTokens", true},
          {"canReadAllFileUploads", true},
          {"expires", nullptr},
          {"isExpired", false},
          {"isDisabled", false},
          {"bucketPermissions", json::object()},
          {"owner",
           {{"id", kProjectId},
            {"name", kProjectName},
            {"region", kRegion},
            {"fileStorageProvider", kProviders[static_cast<int>(cloud)]},
            {"defaultBackend", "snowflake"},
            {"features", json::array()}}}};
}

// --- exports ----------------------------------------------------------------------------------

WireResponse FakeKeboola::State::export_async(const std::string& table_id,
                                              const WireRequest& request) {
  Form form = parse_form(request);
  exports.push_back(FakeExportRequest{table_id, form});
  const TableState& table = *find(table_id);
  const TableState& data = rows_of(table);
  std::string format = first(form, "format");
  if (!format.empty() && format != "rfc")
    return api_error(400, "storage.tables.validation",
                     "Invalid export format \"" + format + "\"; only rfc is supported");
  std::string gzip_field = to_lower(first(form, "gzip"));
  bool compress = gzip && gzip_field != "0" && gzip_field != "false";
  std::optional<int64_t> since, until;
  for (auto [name, bound] : {std::pair{"changedSince", &since}, {"changedUntil", &until}}) {
    std::string text = first(form, name);
    if (text.empty()) continue;
    *bound = parse_time(text);
    if (!*bound)
      return api_error(400, "storage.tables.validation",
                       std::string("Invalid ") + name + " value \"" + text + "\"");
  }
  std::vector<std::string> all_columns = columns_of(table);
  auto index_of = [&](const std::string& column) -> std::optional<std::size_t> {
    auto it = std::find(all_columns.begin(), all_columns.end(), column);
    if (it == all_columns.end()) return std::nullopt;
    return it - all_columns.begin();
  };
  std::vector<std::string> columns = requested_columns(form);
  if (columns.empty()) columns = all_columns;
  std::vector<std::size_t> picked;
  std::vector<WhereFilter> filters;
  try {
    filters = where_filters(form);
    for (const auto& column : columns) {
      auto index = index_of(column);
      if (!index) throw std::invalid_argument("Column \"" + column + "\" not found in table");
      picked.push_back(*index);
    }
    for (WhereFilter& filter : filters) {
      auto index = index_of(filter.column);
      if (!index)
        throw std::invalid_argument("Filter column \"" + filter.column + "\" not found in table");
      filter.index = *index;
    }
  } catch (const std::invalid_argument& error) {
    return api_error(400, "storage.tables.validation", error.what());
  }

  Job job{next_job++, table_id, form_json(form), 0, 0, "", now_seconds(), compress};
  if (auto failing = failing_exports.find(table_id); failing != failing_exports.end()) {
    job.error = failing->second;
    failing_exports.erase(failing);
  } else if (data.slices) {
    ExportFile file = new_file(table_id, true, true);
    job.file_id = file.id;
    store_disk_file(std::move(file),
                    since && data.changed_slices ? *data.changed_slices : *data.slices);
  } else {
    std::vector<std::string> parts(std::max(slices, 1));
    if (slices == 0) parts[0] = csv_line(columns);
    std::size_t written = 0;
    for (const FakeRow& row : data.rows) {
      if (since && row.changed_at < *since) continue;
      if (until && row.changed_at >= *until) continue;
      bool keep = std::all_of(filters.begin(), filters.end(), [&](const WhereFilter& filter) {
        return matches(filter, row.values[filter.index]);
      });
      if (!keep) continue;
      std::vector<std::string> values;
      for (std::size_t index : picked)
        values.push_back(row.values[index]);
      parts[written++ % parts.size()] += csv_line(values);
    }
    if (compress)
      for (auto& part : parts)
        part = web::gzip(part);
    ExportFile file = new_file(table_id, compress, slices > 0);
    job.file_id = file.id;
    store_file(std::move(file), parts);
  }
  json body = {{"id", job.id},
               {"status", "waiting"},
               {"url", base_url + "/v2/storage/jobs/" + std::to_string(job.id)},
               {"tableId", table_id},
               {"operationName", "tableExport"},
               {"operationParams", {{"export", job.params}}},
               {"createdTime", iso_time(job.created)},
               {"startTime", nullptr},
               {"endTime", nullptr},
               {"runId", nullptr},
               {"results", nullptr},
               {"creatorToken", {{"id", "123"}, {"description", "fake token"}}}};
  jobs[job.id] = std::move(job);
  return json_response(202, body);
}

WireResponse FakeKeboola::State::job(int64_t id) {
  auto it = jobs.find(id);
  if (it == jobs.end())
    return api_error(404, "storage.jobs.notFound", "Job " + std::to_string(id) + " not found");
  Job& job = it->second;
  ++job.polls;
  bool done = job.polls > job_polls;
  std::string status = !done ? "processing" : (job.error.empty() ? "success" : "error");
  json body = {{"id", job.id},
               {"status", status},
               {"url", base_url + "/v2/storage/jobs/" + std::to_string(job.id)},
               {"tableId", job.table_id},
               {"operationName", "tableExport"},
               {"operationParams", {{"export", job.params}}},
               {"createdTime", iso_time(job.created)},
               {"startTime", iso_time(job.created)},
               {"endTime", done ? json(iso_time(now_seconds())) : json(nullptr)},
               {"runId", nullptr},
               {"results", nullptr},
               {"error", nullptr},
               {"creatorToken", {{"id", "123"}, {"description", "fake token"}}}};
  if (status == "success") {
    body["results"] = {{"file", {{"id", job.file_id}}}};
  } else if (status == "error") {
    body["error"] = {{"code", "storage.tableExportFailed"},
                     {"message", job.error},
                     {"exceptionId", "exception-" + random_hex(16)}};
  }
  return json_response(200, body);
}

FakeKeboola::State::ExportFile FakeKeboola::State::new_file(const std::string& table_id,
                                                            bool compress, bool sliced) {
  ExportFile file;
  file.id = next_file++;
  file.created = now_seconds();
  file.cloud = cloud;
  file.sliced = sliced;
  file.name = table_id + (compress ? ".csv.gz" : ".csv");
  std::string id = std::to_string(file.id);
  file.key =
      sliced ? "exp-15/4321/table-exports/" + table_id + "/" + id + "/"
             : "exp-15/4321/files/" + format_time(file.created, "%Y/%m/%d/") + id + "." + file.name;
  file.url_key = sliced ? file.key + "manifest" : file.key;
  file.url_signature = random_hex(32);
  file.aws = {random_access_key_id(), random_token(30), random_token(96), kRegion};
  file.gcs_token = "ya29.fake-" + random_token(48);
  file.sas_signature = random_token(32);
  file.url = object_url(file.url_key);
  std::string expires = iso_time(file.created + kCredentialSeconds);
  switch (cloud) {
    case FakeCloud::kAws:
      file.url +=
          "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + file.aws.access_key_id + "%2F" +
          format_time(file.created, "%Y%m%d") + "%2F" + kRegion +
          "%2Fs3%2Faws4_request&X-Amz-Date=" + format_time(file.created, "%Y%m%dT%H%M%SZ") +
          "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=" + file.url_signature;
      break;
    case FakeCloud::kGcp:
      file.url +=
          "?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=fake%40fake.iam."
          "gserviceaccount.com%2F" +
          format_time(file.created, "%Y%m%d") + "%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=" +
          format_time(file.created, "%Y%m%dT%H%M%SZ") +
          "&X-Goog-Expires=86400&X-Goog-SignedHeaders=host&X-Goog-Signature=" + file.url_signature;
      break;
    case FakeCloud::kAzure:
      file.url +=
          "?sv=2017-11-09&sr=b&sp=r&se=" + net::url_encode(expires) + "&sig=" + file.url_signature;
      break;
  }
  return file;
}

std::string FakeKeboola::State::object_url(const std::string& key) const {
  std::vector<std::string> segments;
  for (const auto& segment : split(key, '/'))
    segments.push_back(net::url_encode(segment));
  return base_url + std::string(kObjectsPrefix) + container() + "/" + join(segments, "/");
}

std::string FakeKeboola::State::entry_url(const std::string& key) const {
  switch (cloud) {
    case FakeCloud::kAws:
      return std::string("s3://") + kBucket + "/" + key;
    case FakeCloud::kGcp:
      return std::string("gs://") + kBucket + "/" + key;
    case FakeCloud::kAzure:
      return std::string("azure://") + kAzureAccount + ".blob.core.windows.net/" + kAzureContainer +
             "/" + key;
  }
  return key;
}

static std::string slice_name(std::size_t index, bool compress) {
  char name[32];
  std::snprintf(name, sizeof name, "part_%04zu%s", index, compress ? ".gz" : "");
  return name;
}

// `parts` are the finished (already compressed) slices, or the one unsliced file.
void FakeKeboola::State::store_file(ExportFile file, const std::vector<std::string>& parts) {
  bool compress = file.name.ends_with(".gz");
  if (!file.sliced) {
    file.size_bytes = parts[0].size();
    objects[container() + "/" + file.key] = {parts[0], std::nullopt, parts[0].size(), file.id};
  } else {
    json entries = json::array();
    for (std::size_t i = 0; i < parts.size(); ++i) {
      std::string key = file.key + slice_name(i, compress);
      objects[container() + "/" + key] = {parts[i], std::nullopt, parts[i].size(), file.id};
      entries.push_back({{"url", entry_url(key)}, {"mandatory", true}});
      file.size_bytes += parts[i].size();
    }
    std::string manifest = json{{"entries", entries}}.dump();
    objects[container() + "/" + file.url_key] = {manifest, std::nullopt, manifest.size(), file.id,
                                                 true};
  }
  files[file.id] = std::move(file);
}

void FakeKeboola::State::store_disk_file(ExportFile file, const std::vector<fs::path>& slices) {
  json entries = json::array();
  for (std::size_t i = 0; i < slices.size(); ++i) {
    std::string key = file.key + slice_name(i, true);
    uint64_t size = fs::file_size(slices[i]);
    objects[container() + "/" + key] = {"", slices[i], size, file.id};
    entries.push_back({{"url", entry_url(key)}, {"mandatory", true}});
    file.size_bytes += size;
  }
  std::string manifest = json{{"entries", entries}}.dump();
  objects[container() + "/" + file.url_key] = {manifest, std::nullopt, manifest.size(), file.id,
                                               true};
  files[file.id] = std::move(file);
}

WireResponse FakeKeboola::State::file_info(int64_t id, bool federation) {
  auto it = files.find(id);
  if (it == files.end())
    return api_error(404, "storage.files.notFound", "File " + std::to_string(id) + " not found");
  const ExportFile& file = it->second;
  static const char* kProviders[] = {"aws", "gcp", "azure"};
  std::string expires = iso_time(file.created + kCredentialSeconds);
  json body = {{"id", file.id},         {"created", iso_time(file.created)},
               {"isPublic", false},     {"isSliced", file.sliced},
               {"isEncrypted", true},   {"name", file.name},
               {"url", file.url},       {"provider", kProviders[static_cast<int>(file.cloud)]},
               {"region", kRegion},     {"sizeBytes", file.size_bytes},
               {"tags", json::array()}, {"maxAgeDays", 15},
               {"runId", nullptr},      {"runIds", json::array()},
               {"creatorId", "123"},    {"creatorDescription", "fake token"}};
  switch (file.cloud) {
    case FakeCloud::kAws:
      body["s3Path"] = {{"bucket", kBucket}, {"key", file.key}};
      if (federation)
        body["credentials"] = {{"AccessKeyId", file.aws.access_key_id},
                               {"SecretAccessKey", file.aws.secret_access_key},
                               {"SessionToken", file.aws.session_token},
                               {"Expiration", expires}};
      break;
    case FakeCloud::kGcp:
      body["gcsPath"] = {{"bucket", kBucket}, {"key", file.key}};
      if (federation)
        body["gcsCredentials"] = {{"access_token", file.gcs_token},
                                  {"expires_in", kCredentialSeconds},
                                  {"token_type", "Bearer"},
                                  {"projectId", "fake"}};
      break;
    case FakeCloud::kAzure:
      body["absPath"] = {{"container", kAzureContainer}, {"name", file.key}};
      if (federation)
        body["absCredentials"] = {
            {"SASConnectionString",
             "BlobEndpoint=" + base_url +
                 std::string(kObjectsPrefix.substr(0, kObjectsPrefix.size() - 1)) +
                 ";SharedAccessSignature=sv=2017-11-09&sr=c&sp=rl&se=" + net::url_encode(expires) +
                 "&sig=" + file.sas_signature},
            {"expiration", expires}};
      break;
  }
  return json_response(200, body);
}

// --- object store -----------------------------------------------------------------------------

WireResponse FakeKeboola::State::serve_object(const WireRequest& request) {
  std::string object_key =
      percent_decode(std::string_view(request.path).substr(kObjectsPrefix.size()), false);
  if (auto authorization = request.header("authorization"); !authorization.empty())
    authorization_headers.push_back(authorization);
  if (request.method != "GET" && request.method != "HEAD")
    return xml_error(405, "MethodNotAllowed", "The specified method is not allowed");
  auto it = objects.find(object_key);
  if (it == objects.end()) return xml_error(404, "NoSuchKey", "The specified key does not exist.");
  if (auto refusal = refuse_object(request, it->second, object_key)) return *refusal;
  WireResponse response = object_body(request, it->second);
  ++downloads;
  max_downloads = std::max(max_downloads, downloads);
  response.until_sent = std::shared_ptr<void>(nullptr, [this](void*) {
    std::lock_guard lock(mutex);
    --downloads;
  });
  return response;
}

std::optional<WireResponse> FakeKeboola::State::refuse_object(const WireRequest& request,
                                                              const StoredObject& object,
                                                              const std::string& object_key) {
  const ExportFile& file = files.at(object.file_id);
  Form query;
  for (auto& [name, value] : parse_urlencoded(request.query))
    query[name].push_back(value);
  bool presigned_object = object_key == container() + "/" + file.url_key;
  switch (file.cloud) {
    case FakeCloud::kAws: {
      std::string signature = first(query, "X-Amz-Signature");
      if (!signature.empty()) {
        if (presigned_object && constant_time_equal(signature, file.url_signature))
          return std::nullopt;
        return xml_error(403, "SignatureDoesNotMatch",
                         "The request signature we calculated does not match the signature you "
                         "provided.");
      }
      auto refusal = verify_sigv4(request, file.aws, std::chrono::system_clock::now());
      if (!refusal) return std::nullopt;
      return xml_error(403, refusal->code, refusal->message);
    }
    case FakeCloud::kGcp: {
      std::string signature = first(query, "X-Goog-Signature");
      if (presigned_object && constant_time_equal(signature, file.url_signature))
        return std::nullopt;
      if (signature.empty() &&
          constant_time_equal(request.header("authorization"), "Bearer " + file.gcs_token))
        return std::nullopt;
      return xml_error(401, "AuthenticationRequired",
                       "Invalid or missing credentials: a Bearer access token is required.");
    }
    case FakeCloud::kAzure: {
      std::string signature = first(query, "sig");
      if (constant_time_equal(signature, file.sas_signature) ||
          (presigned_object && constant_time_equal(signature, file.url_signature)))
        return std::nullopt;
      return xml_error(403, "AuthenticationFailed",
                       "Server failed to authenticate the request. Make sure the value of "
                       "Authorization header is formed correctly including the signature.");
    }
  }
  return std::nullopt;
}

// The whole object, or the "Range: bytes=N-" / "bytes=N-M" part of it (206).
WireResponse FakeKeboola::State::object_body(const WireRequest& request,
                                             const StoredObject& object) {
  WireResponse response;
  response.headers.emplace_back("Content-Type",
                                object.manifest ? "application/json" : "application/octet-stream");
  response.headers.emplace_back("Accept-Ranges", "bytes");
  uint64_t begin = 0, end = object.size;  // [begin, end)
  std::string range = request.header("range");
  if (range.rfind("bytes=", 0) == 0 && range.find(',') == std::string::npos) {
    std::string spec = range.substr(6);
    auto dash = spec.find('-');
    try {
      if (dash == 0) {
        begin = object.size - std::min<uint64_t>(object.size, std::stoull(spec.substr(1)));
      } else if (dash != std::string::npos) {
        begin = std::stoull(spec.substr(0, dash));
        if (dash + 1 < spec.size())
          end = std::min<uint64_t>(end, std::stoull(spec.substr(dash + 1)) + 1);
      }
    } catch (const std::exception&) {
      begin = 0;
      end = object.size;
      range.clear();
    }
    if (begin >= object.size || begin >= end) {
      response = xml_error(416, "InvalidRange", "The requested range is not satisfiable");
      response.headers.emplace_back("Content-Range", "bytes */" + std::to_string(object.size));
      return response;
    }
    if (!range.empty()) {
      response.status = 206;
      response.headers.emplace_back("Content-Range", "bytes " + std::to_string(begin) + "-" +
                                                         std::to_string(end - 1) + "/" +
                                                         std::to_string(object.size));
    }
  }
  if (object.path) {
    response.file = object.path;
    response.file_offset = begin;
    response.file_length = end - begin;
  } else {
    response.body = object.content.substr(begin, end - begin);
  }
  return response;
}

// --- public API -------------------------------------------------------------------------------

FakeKeboola::FakeKeboola(std::string token)
    : token_(std::move(token)), state_(std::make_unique<State>(token_)) {
  State* state = state_.get();
  state_->server = std::make_unique<WireServer>(
      [state](const WireRequest& request) { return state->handle(request); });
  std::lock_guard lock(state_->mutex);
  state_->base_url = "http://127.0.0.1:" + std::to_string(state_->server->port());
}

FakeKeboola::~FakeKeboola() {
  state_->server.reset();
}

std::string FakeKeboola::url() const {
  std::lock_guard lock(state_->mutex);
  return state_->base_url;
}

std::string FakeKeboola::object_store_url() const {
  return url() + std::string(kObjectsPrefix.substr(0, kObjectsPrefix.size() - 1));
}

void FakeKeboola::add_table(FakeTable table) {
  std::lock_guard lock(state_->mutex);
  if (table.name.empty()) table.name = table.id.substr(table.id.rfind('.') + 1);
  State::TableState entry;
  for (const auto& [column, items] : table.column_metadata) {
    json list = json::array();
    for (const FakeMetadata& item : items)
      list.push_back({{"id", std::to_string(state_->next_metadata++)},
                      {"key", item.key},
                      {"value", item.value},
                      {"provider", item.provider},
                      {"timestamp", table.created}});
    entry.column_metadata[column] = list;
  }
  entry.metadata = json::array();
  for (const FakeMetadata& item : table.metadata)
    entry.metadata.push_back({{"id", std::to_string(state_->next_metadata++)},
                              {"key", item.key},
                              {"value", item.value},
                              {"provider", item.provider},
                              {"timestamp", table.created}});
  entry.table = std::move(table);
  std::string id = entry.table.id;
  state_->tables[id] = std::move(entry);
}

void FakeKeboola::import_rows(const std::string& table_id,
                              const std::vector<std::vector<std::string>>& rows,
                              int64_t changed_at) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->tables.find(table_id);
  if (it == state_->tables.end() || it->second.table.alias_of)
    throw std::invalid_argument("FakeKeboola: no table \"" + table_id + "\" to import into");
  State::TableState& table = it->second;
  std::vector<std::size_t> key_columns;
  for (const auto& column : table.table.primary_key) {
    auto found = std::find(table.table.columns.begin(), table.table.columns.end(), column);
    if (found == table.table.columns.end())
      throw std::invalid_argument("FakeKeboola: primary key column \"" + column + "\" unknown");
    key_columns.push_back(found - table.table.columns.begin());
  }
  for (const auto& values : rows) {
    if (values.size() != table.table.columns.size())
      throw std::invalid_argument("FakeKeboola: a row of " + table_id + " has " +
                                  std::to_string(values.size()) + " values, not " +
                                  std::to_string(table.table.columns.size()));
    if (key_columns.empty()) {
      table.rows.push_back({values, changed_at});
      continue;
    }
    std::string key;
    for (std::size_t index : key_columns)
      key += values[index] + '\x1f';
    auto [slot, inserted] = table.row_of_key.try_emplace(key, table.rows.size());
    if (inserted)
      table.rows.push_back({values, changed_at});
    else
      table.rows[slot->second] = {values, changed_at};
  }
}

FakeKeboola::State::TableState& FakeKeboola::State::table_for_slices(
    const std::string& table_id, const std::vector<fs::path>& slices) {
  auto it = tables.find(table_id);
  if (it == tables.end())
    throw std::invalid_argument("FakeKeboola: no table \"" + table_id + "\" for export slices");
  for (const auto& slice : slices)
    if (!fs::is_regular_file(slice))
      throw std::invalid_argument("FakeKeboola: slice " + slice.string() + " is not a file");
  return it->second;
}

void FakeKeboola::set_export_slices(const std::string& table_id,
                                    std::vector<std::filesystem::path> slices) {
  std::lock_guard lock(state_->mutex);
  State::TableState& table = state_->table_for_slices(table_id, slices);
  table.slices = std::move(slices);
  table.slices_at = now_seconds();
}

void FakeKeboola::set_changed_export_slices(const std::string& table_id,
                                            std::vector<std::filesystem::path> slices) {
  std::lock_guard lock(state_->mutex);
  State::TableState& table = state_->table_for_slices(table_id, slices);
  table.changed_slices = std::move(slices);
  table.slices_at = now_seconds();
}

void FakeKeboola::set_slices(int slices) {
  std::lock_guard lock(state_->mutex);
  state_->slices = std::max(slices, 0);
}

void FakeKeboola::set_gzip(bool gzip) {
  std::lock_guard lock(state_->mutex);
  state_->gzip = gzip;
}

void FakeKeboola::set_cloud(FakeCloud cloud) {
  std::lock_guard lock(state_->mutex);
  state_->cloud = cloud;
}

void FakeKeboola::set_job_polls(int polls) {
  std::lock_guard lock(state_->mutex);
  state_->job_polls = polls;
}

void FakeKeboola::fail_next_export(const std::string& table_id, const std::string& message) {
  std::lock_guard lock(state_->mutex);
  state_->failing_exports[table_id] = message;
}

void FakeKeboola::fail_requests(const std::string& path_prefix, int count, int status,
                                int retry_after_seconds) {
  std::lock_guard lock(state_->mutex);
  state_->rules.push_back(
      {State::Rule::Kind::kFail, path_prefix, count, status, retry_after_seconds, {}});
}

void FakeKeboola::drop_connections(const std::string& path_prefix, int count) {
  std::lock_guard lock(state_->mutex);
  state_->rules.push_back({State::Rule::Kind::kDrop, path_prefix, count, 0, 0, {}});
}

void FakeKeboola::delay_requests(const std::string& path_prefix, std::chrono::milliseconds delay,
                                 int count) {
  std::lock_guard lock(state_->mutex);
  state_->rules.push_back({State::Rule::Kind::kDelay, path_prefix, count, 0, 0, delay});
}

std::vector<FakeExportRequest> FakeKeboola::export_requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->exports;
}

int FakeKeboola::requests_to(const std::string& path_prefix) const {
  std::lock_guard lock(state_->mutex);
  return static_cast<int>(
      std::count_if(state_->paths.begin(), state_->paths.end(),
                    [&](const auto& path) { return path.starts_with(path_prefix); }));
}

int FakeKeboola::max_concurrent_downloads() const {
  std::lock_guard lock(state_->mutex);
  return state_->max_downloads;
}

std::vector<std::string> FakeKeboola::seen_authorization_headers() const {
  std::lock_guard lock(state_->mutex);
  return state_->authorization_headers;
}

}  // namespace da::fakes
