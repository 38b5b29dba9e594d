#include "da/distribution/https_pull.hpp"

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/file_stamp.hpp"
#include "da/common/hash.hpp"
#include "da/common/log.hpp"
#include "da/common/parallel.hpp"
#include "da/common/progress_bar.hpp"
#include "da/common/strings.hpp"
#include "da/distribution/manifest.hpp"
#include "da/net/http_client.hpp"

namespace da::distribution {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// What the last pulls wrote: path -> {size, mtime_ns, sha256}, so unchanged local files are
// not hashed again.
class PullState {
 public:
  explicit PullState(fs::path file) : file_(std::move(file)) {
    if (!fs::exists(file_)) return;
    Json json = Json::parse(read_file(file_), nullptr, false);
    if (json.is_object()) state_ = std::move(json);
  }

  // The local file's digest: remembered when size and time match, else computed.
  std::string digest_of(const std::string& path, const fs::path& file, const FileStamp& local) {
    if (state_.contains(path)) {
      const Json& entry = state_[path];
      if (entry.value("size", int64_t{-1}) == local.size &&
          entry.value("mtime_ns", int64_t{-1}) == local.mtime_ns)
        return entry.value("sha256", "");
    }
    std::string digest = sha256_file_hex(file);
    remember(path, local, digest);
    return digest;
  }

  void remember(const std::string& path, const FileStamp& local, const std::string& digest) {
    state_[path] = {{"size", local.size}, {"mtime_ns", local.mtime_ns}, {"sha256", digest}};
  }
  void forget(const std::string& path) { state_.erase(path); }
  void save() const { write_file_atomically(file_, state_.dump(), 0644); }

 private:
  fs::path file_;
  Json state_ = Json::object();
};

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

[[noreturn]] void fail_response(const std::string& what, const net::HttpResponse& response) {
  std::string message;
  Json body = Json::parse(response.body, nullptr, false);
  if (body.is_object()) message = body.value("error", "");
  if (message.empty()) message = std::string(trim(response.body.substr(0, 200)));
  if (response.status == 401)
    throw Error(ErrorKind::kAuth, what + ": the portal refused the token (401" +
                                      (message.empty() ? "" : ": " + message) +
                                      "); create a new one on the portal");
  throw Error(ErrorKind::kSource, what + " answered " + std::to_string(response.status) +
                                      (message.empty() ? "" : ": " + message));
}

// A manifest path is "parquet/..." or "docs/..." without empty, "." or ".." segments.
bool safe_path(const std::string& path) {
  if (path.rfind("parquet/", 0) != 0 && path.rfind("docs/", 0) != 0) return false;
  for (const std::string& segment : split(path, '/')) {
    if (segment.empty() || segment == "." || segment == "..") return false;
  }
  return true;
}

// The server answered a resumed request with the whole file (it changed since): keep only
// what came after the `prefix` bytes the partial file held.
void drop_prefix(const fs::path& partial, int64_t prefix) {
  fs::path rewritten = partial;
  rewritten += ".new";
  {
    std::unique_ptr<std::FILE, decltype(&std::fclose)> in(std::fopen(partial.c_str(), "rb"),
                                                          std::fclose);
    std::unique_ptr<std::FILE, decltype(&std::fclose)> out(std::fopen(rewritten.c_str(), "wb"),
                                                           std::fclose);
    if (!in || !out || ::fseeko(in.get(), prefix, SEEK_SET) != 0)
      throw_system_error("cannot rewrite", partial.string(), errno);
    char buffer[1 << 16];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, in.get())) > 0;) {
      if (std::fwrite(buffer, 1, n, out.get()) != n)
        throw_system_error("cannot rewrite", partial.string(), errno);
    }
  }
  fs::rename(rewritten, partial);
}

}  // namespace

void report_pull(const std::string& portal_url, const std::string& token, const fs::path& ca_file,
                 int64_t files, int64_t bytes) {
  net::HttpRequest done;
  done.ca_file = ca_file;
  done.url = without_trailing_slash(portal_url) + "/api/pull/done";
  done.method = "POST";
  done.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
  done.connect_timeout = std::chrono::seconds(10);
  done.total_timeout = std::chrono::seconds(30);
  done.body = Json{{"files", files}, {"bytes", bytes}}.dump();
  try {
    net::HttpResponse answer = net::HttpClient().send(done);
    if (answer.status != 200)
      log::warn("the portal did not record this pull (HTTP {})", answer.status);
  } catch (const Error& e) {
    log::warn("the portal did not record this pull: {}", e.what());
  }
}

PullReport pull_https(const PullOptions& options) {
  fs::path root = fs::absolute(options.workspace);
  fs::path server = root / "server";
  fs::path partial_dir = root / ".da" / "partial";
  fs::create_directories(partial_dir);
  fs::create_directories(server);
  std::string base = without_trailing_slash(options.portal_url);
  auto request_for = [&](const std::string& url) {
    net::HttpRequest request;
    request.url = url;
    request.headers = {{"Authorization", "Bearer " + options.token}};
    request.connect_timeout = options.connect_timeout;
    request.total_timeout = options.file_timeout;
    request.ca_file = options.ca_file;
    return request;
  };

  net::HttpResponse answer = net::HttpClient().send(request_for(base + "/api/pull/manifest"));
  if (answer.status != 200) fail_response("GET /api/pull/manifest", answer);
  Manifest manifest = Manifest::from_json(answer.body);
  PullReport report;
  report.files_in_manifest = static_cast<int64_t>(manifest.files.size());

  PullState state(root / ".da" / "pull_state.json");
  std::vector<const ManifestFile*> wanted;
  int64_t wanted_bytes = 0;
  for (const ManifestFile& file : manifest.files) {
    if (!safe_path(file.path))
      throw Error(ErrorKind::kSource, "the pull manifest names an unsafe path: " + file.path);
    fs::path local = server / file.path;
    auto existing = regular_file_stamp(local);
    if (existing && existing->size == file.size &&
        state.digest_of(file.path, local, *existing) == file.sha256)
      continue;
    wanted.push_back(&file);
    wanted_bytes += file.size;
  }

  std::optional<ProgressBar> progress;
  if (options.show_progress && !wanted.empty())
    progress.emplace("pull", static_cast<uint64_t>(wanted_bytes), "B");
  std::atomic<int64_t> received{0};
  std::mutex report_mutex;
  auto fetch = [&](const ManifestFile& file) {
    fs::path partial = partial_dir / file.path;
    fs::create_directories(partial.parent_path());
    std::string url = base + "/api/pull/files/" + net::url_encode_path(file.path);
    std::string etag = "\"" + file.sha256 + "\"";
    for (int attempt = 1;; ++attempt) {
      auto have = regular_file_stamp(partial);
      int64_t offset = have && have->size < file.size ? have->size : 0;
      if (have && offset == 0) fs::remove(partial);
      net::HttpRequest request = request_for(url);
      if (offset > 0) {
        request.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-");
        request.headers.emplace_back("If-Range", etag);
      }
      std::FILE* out = nullptr;
      net::HttpResponse response;
      std::string what = "GET " + file.path;
      // Hashed as it arrives, so that the file is not read again to be verified.
      Sha256 hash;
      if (offset > 0) hash.update_from_file(partial, offset);
      try {
        response = net::HttpClient().stream(request, [&](std::string_view data) {
          if (!out) {
            // With a Range asked for, the data continues the partial file (should the server
            // send the whole file instead, the old part is dropped below).
            out = std::fopen(partial.c_str(), offset > 0 ? "ab" : "wb");
            if (!out) throw_system_error("cannot write", partial.string(), errno);
          }
          if (std::fwrite(data.data(), 1, data.size(), out) != data.size())
            throw_system_error("cannot write", partial.string(), errno);
          hash.update(data);
          received += static_cast<int64_t>(data.size());
          if (progress) progress->advance(data.size());
        });
      } catch (const Error& e) {
        if (out) std::fclose(out);
        if (e.kind() != ErrorKind::kSource || attempt >= options.attempts) throw;
        continue;  // the partial file keeps what arrived; the next attempt resumes it
      }
      if (out && std::fclose(out) != 0) throw_system_error("cannot write", partial.string(), errno);
      if (response.status != 200 && response.status != 206) {
        if (response.status == 416) {
          fs::remove(partial);
          if (attempt < options.attempts) continue;
        }
        fail_response(what, response);
      }
      std::string digest;
      if (response.status == 200 && offset > 0) {
        drop_prefix(partial, offset);
        digest = sha256_file_hex(partial);
      } else {
        digest = hash.hex_digest();
      }
      auto got = regular_file_stamp(partial);
      if (got && got->size == file.size && digest == file.sha256) return;
      fs::remove(partial);
      {
        std::lock_guard lock(report_mutex);
        report.refetched.push_back(file.path);
      }
      if (attempt >= options.attempts)
        throw Error(ErrorKind::kSource, file.path + " did not match its SHA-256 after " +
                                            std::to_string(attempt) + " attempts");
    }
  };

  try {
    run_parallel(wanted.size(), options.parallel, [&](size_t index) { fetch(*wanted[index]); });
  } catch (...) {
    if (progress) progress->finish();
    throw;
  }
  if (progress) progress->finish();

  // Everything arrived intact: into place, then away with what is no longer ours.
  for (const ManifestFile* file : wanted) {
    fs::path target = server / file->path;
    fs::create_directories(target.parent_path());
    // server/ is a mirror: read-only, so that nothing edits it by mistake.
    fs::permissions(partial_dir / file->path, fs::perms(0444));
    fs::rename(partial_dir / file->path, target);
    if (auto local = regular_file_stamp(target)) state.remember(file->path, *local, file->sha256);
  }
  std::set<std::string> keep;
  for (const ManifestFile& file : manifest.files)
    keep.insert(file.path);
  for (const char* tree : {"parquet", "docs"}) {
    fs::path top = server / tree;
    if (!fs::is_directory(fs::symlink_status(top))) continue;
    std::vector<fs::path> stale;
    for (auto it = fs::recursive_directory_iterator(top); it != fs::recursive_directory_iterator();
         ++it) {
      if (it->is_symlink()) {
        stale.push_back(it->path());  // never followed; a link in server/ is not the broker's
        it.disable_recursion_pending();
        continue;
      }
      std::string path = it->path().lexically_relative(server).generic_string();
      if (it->is_regular_file() && !keep.count(path)) stale.push_back(it->path());
    }
    for (const fs::path& path : stale) {
      fs::remove(path);
      state.forget(path.lexically_relative(server).generic_string());
      ++report.files_removed;
    }
  }
  state.save();
  report.files_fetched = static_cast<int64_t>(wanted.size());
  report.bytes_fetched = received;
  // The pull succeeded whatever the portal answers.
  report_pull(options.portal_url, options.token, options.ca_file, report.files_fetched,
              report.bytes_fetched);
  return report;
}

}  // namespace da::distribution
