// The HTTPS pull API (`da pull --via https`): the manifest of what the signed-in analyst may
// pull, the files themselves, with ETag and Range, and the report of a finished pull. The
// manifest and files are authorised by the same rules as the rsync filter
// (da/distribution/selection.hpp).
#include <map>
#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "da/catalog/data_description.hpp"
#include "da/common/file_stamp.hpp"
#include "da/common/hash.hpp"
#include "da/common/json_fields.hpp"
#include "da/distribution/manifest.hpp"
#include "da/distribution/pull_records.hpp"
#include "da/distribution/selection_store.hpp"
#include "da/module/module_registry.hpp"
#include "da/web/portal_feature.hpp"
#include "da/web/portal_host.hpp"

namespace da::features::pull {

namespace {

using web::Access;
using web::FileBody;
using web::PortalHost;
using web::Request;
using web::Response;
using web::Visitor;

// "<mtime>:<size>;" of the catalog's files: what must change for the catalog to change.
std::string catalog_fingerprint(const std::filesystem::path& docs_dir) {
  std::string print;
  auto add = [&](const std::filesystem::path& file) {
    struct stat info {};
    if (::stat(file.c_str(), &info) == 0)
      print += file.filename().string() + "@" + std::to_string(info.st_mtim.tv_sec) + "." +
               std::to_string(info.st_mtim.tv_nsec) + ":" + std::to_string(info.st_size) + ";";
  };
  add(docs_dir / "data_description.md");
  std::error_code error;
  for (std::filesystem::directory_iterator it(docs_dir / "datasets", error), end;
       !error && it != end; it.increment(error))
    add(it->path());
  return print;
}

// The parsed catalog, parsed again only when its files change: a pull asks for thousands of
// files, and parsing a catalog of hundreds of tables for each would dominate.
std::shared_ptr<const catalog::DataDescription> pull_catalog(
    const std::filesystem::path& docs_dir) {
  struct Entry {
    std::string print;
    std::shared_ptr<const catalog::DataDescription> catalog;
  };
  static std::mutex mutex;
  static std::map<std::filesystem::path, Entry> cache;
  std::string print = catalog_fingerprint(docs_dir);
  std::lock_guard lock(mutex);
  Entry& entry = cache[docs_dir];
  if (!entry.catalog || entry.print != print) {
    entry.catalog = std::make_shared<const catalog::DataDescription>(
        catalog::load_data_description_or_throw(docs_dir));
    entry.print = print;
  }
  return entry.catalog;
}

std::vector<distribution::VisibleTable> tables_for(PortalHost& portal, const identity::User& user) {
  return distribution::visible_tables(
      *pull_catalog(portal.config().paths.docs_dir),
      distribution::SelectionStore(portal.db()).load(user.id).selection, user.is_privileged());
}

struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};

// "bytes=N-" or "bytes=N-M" within a file of `size` bytes; nullopt for anything else.
std::optional<ByteRange> parse_range(std::string_view header, uint64_t size) {
  if (header.rfind("bytes=", 0) != 0) return std::nullopt;
  std::string spec(header.substr(6));
  auto dash = spec.find('-');
  if (dash == std::string::npos || dash == 0 || spec.find(',') != std::string::npos)
    return std::nullopt;
  try {
    uint64_t first = std::stoull(spec.substr(0, dash));
    uint64_t last = dash + 1 < spec.size() ? std::stoull(spec.substr(dash + 1)) : size - 1;
    if (first >= size || last < first) return std::nullopt;
    last = std::min(last, size - 1);
    return ByteRange{first, last - first + 1};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Response manifest(PortalHost& portal, const Request& request, const identity::User& user) {
  const config::InstanceConfig& config = portal.config();
  distribution::DigestCache digests(portal.db());
  std::string body = distribution::build_manifest(config.paths.data_dir, config.paths.docs_dir,
                                                  tables_for(portal, user), digests)
                         .to_json();
  std::string etag = "\"" + sha256_hex(body) + "\"";
  Response response;
  response.set_header("ETag", etag);
  response.set_header("Cache-Control", "private, no-cache");
  if (request.header("if-none-match") == etag) {
    response.status = 304;
    return response;
  }
  response.set_header("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

// The byte range the request asks for (all of the file without a Range header, or when its
// If-Range names another version); false when the range cannot be served (416 set).
bool select_range(const Request& request, const std::string& etag, uint64_t size,
                  Response& response, ByteRange& range) {
  range = {0, size};
  std::string_view wanted = request.header("range");
  std::string_view condition = request.header("if-range");
  if (wanted.empty() || (!condition.empty() && condition != etag)) return true;
  auto parsed = parse_range(wanted, size);
  if (!parsed) {
    response.status = 416;
    response.set_header("Content-Range", "bytes */" + std::to_string(size));
    return false;
  }
  range = *parsed;
  response.status = 206;
  response.set_header("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                           std::to_string(range.first + range.length - 1) + "/" +
                                           std::to_string(size));
  return true;
}

Response pull_file(PortalHost& portal, const Request& request, const identity::User& user) {
  const config::InstanceConfig& config = portal.config();
  std::string path = request.params.at("path");
  // A file the analyst does not receive gets the same answer as one that does not exist, and
  // is not even looked for: the answer tells nothing about what exists.
  std::optional<FileStamp> stamp;
  std::filesystem::path file;
  if (distribution::may_pull(tables_for(portal, user), path)) {
    file = distribution::broker_path(config.paths.data_dir, config.paths.docs_dir, path);
    if (!file.empty()) stamp = regular_file_stamp(file);
  }
  if (!stamp) return Response::json_error(404, "No such file among yours: " + path);
  std::string etag =
      "\"" + distribution::DigestCache(portal.db()).sha256_of(file, stamp->size, stamp->mtime_ns) +
      "\"";
  Response response;
  response.set_header("ETag", etag);
  response.set_header("Accept-Ranges", "bytes");
  response.set_header("Cache-Control", "private, no-cache");
  response.set_header("Content-Type", "application/octet-stream");
  if (request.header("if-none-match") == etag) {
    response.status = 304;
    return response;
  }
  ByteRange range;
  if (select_range(request, etag, static_cast<uint64_t>(stamp->size), response, range))
    response.file = FileBody{file, range.first, range.length};
  return response;
}

class PullFeature : public web::PortalFeature {
 public:
  void add_routes(PortalHost& portal) override {
    portal.route("GET", "/api/pull/manifest", Access::kSignedIn,
                 [&portal](Request& request, Visitor& visitor) {
                   return manifest(portal, request, *visitor.user);
                 });
    portal.route("POST", "/api/pull/done", Access::kSignedIn,
                 [&portal](Request& request, Visitor& visitor) {
                   nlohmann::json body = parse_json_object(request.body, "the request body");
                   JsonFields fields(body);
                   int64_t files = fields.integer("files");
                   int64_t bytes = fields.integer("bytes");
                   distribution::PullRecords(portal.db()).record(visitor.user->id, files, bytes);
                   return Response::json(200, {{"ok", true}});
                 });
    portal.route("GET", "/api/pull/files/{path...}", Access::kSignedIn,
                 [&portal](Request& request, Visitor& visitor) {
                   return pull_file(portal, request, *visitor.user);
                 });
  }
};

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.portal_features.add("pull", [] { return std::make_unique<PullFeature>(); });
}

}  // namespace da::features::pull
