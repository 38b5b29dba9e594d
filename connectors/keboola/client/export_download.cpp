#include "keboola/client/export_download.hpp"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "keboola/client/aws_sigv4.hpp"
#include "keboola/client/gzip_inflater.hpp"

#include "da/common/error.hpp"
#include "da/common/parallel.hpp"
#include "da/common/strings.hpp"

namespace da::connectors::keboola {

namespace fs = std::filesystem;

namespace {

struct UrlParts {
  std::string scheme;  // http, https, s3, gs, azure
  std::string host;    // with :port
  std::string path;    // from the first '/' (no query)
  std::string query;
};

UrlParts split_url(const std::string& url) {
  UrlParts parts;
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    throw Error(ErrorKind::kSource, "Keboola: a slice URL without a scheme: " + url.substr(0, 80));
  parts.scheme = to_lower(url.substr(0, scheme_end));
  std::string rest = url.substr(scheme_end + 3);
  auto query = rest.find('?');
  if (query != std::string::npos) {
    parts.query = rest.substr(query + 1);
    rest.resize(query);
  }
  auto slash = rest.find('/');
  parts.host = rest.substr(0, slash);
  parts.path = slash == std::string::npos ? "/" : rest.substr(slash);
  return parts;
}

// "BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=sv=..&sig=.." -> value
std::string connection_string_value(const std::string& text, const std::string& name) {
  for (const std::string& part : split(text, ';')) {
    auto equals = part.find('=');
    if (equals != std::string::npos && trim(part.substr(0, equals)) == name)
      return part.substr(equals + 1);
  }
  return {};
}

std::string without_trailing_slash(std::string text) {
  while (!text.empty() && text.back() == '/')
    text.pop_back();
  return text;
}

// Writes one slice to its file as header-less CSV: gzip is inflated on the way and an
// unsliced file's header line dropped. Any input error throws Error(kSource), so that the
// slice is fetched again.
class SliceWriter {
 public:
  SliceWriter(const fs::path& path, bool drop_header)
      : path_(path), drop_header_(drop_header), inflater_(path.filename().string()) {
    file_.reset(std::fopen(path.c_str(), "wb"));
    if (!file_) throw_system_error("cannot create the slice file", path.string(), errno);
  }

  void write(std::string_view data) {
    received_ += static_cast<int64_t>(data.size());
    if (!format_known_) {
      sniff_.append(data);
      if (sniff_.size() < 2) return;
      format_known_ = true;
      gzip_ = static_cast<unsigned char>(sniff_[0]) == 0x1f &&
              static_cast<unsigned char>(sniff_[1]) == 0x8b;
      std::string first = std::move(sniff_);
      consume(first);
      return;
    }
    consume(data);
  }

  // Checks that a gzip stream ended where the body did.
  void finish() {
    if (!format_known_ && !sniff_.empty()) {
      format_known_ = true;
      std::string rest = std::move(sniff_);
      emit(rest);
    }
    if (gzip_) inflater_.finish();
    if (std::fflush(file_.get()) != 0)
      throw_system_error("cannot write the slice file", path_.string(), errno);
  }

  int64_t received() const { return received_; }
  int64_t written() const { return written_; }

 private:
  void consume(std::string_view data) {
    if (!gzip_) return emit(data);
    inflater_.push(data, [this](std::string_view out) { emit(out); });
  }

  void emit(std::string_view data) {
    if (drop_header_) {
      auto newline = data.find('\n');
      if (newline == std::string_view::npos) return;
      data.remove_prefix(newline + 1);
      drop_header_ = false;
    }
    if (data.empty()) return;
    if (std::fwrite(data.data(), 1, data.size(), file_.get()) != data.size())
      throw_system_error("cannot write the slice file", path_.string(), errno);
    written_ += static_cast<int64_t>(data.size());
  }

  fs::path path_;
  bool drop_header_;
  GzipInflater inflater_;
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file_{nullptr, std::fclose};
  std::string sniff_;
  bool format_known_ = false;
  bool gzip_ = false;
  int64_t received_ = 0;
  int64_t written_ = 0;
};

}  // namespace

net::HttpRequest slice_request(const std::string& url, const FileInfo& file,
                               const DownloadOptions& options) {
  net::HttpRequest request;
  request.connect_timeout = options.connect_timeout;
  request.total_timeout = options.slice_timeout;
  UrlParts parts = split_url(url);
  std::string endpoint = without_trailing_slash(options.object_store_endpoint);
  if (parts.scheme == "http" || parts.scheme == "https") {
    request.url = url;
  } else if (parts.scheme == "s3") {
    // s3://bucket/key
    std::string bucket = parts.host;
    std::string key = parts.path.substr(1);
    SigV4Request signing;
    signing.region = file.region.empty() ? "us-east-1" : file.region;
    signing.time = std::time(nullptr);
    std::string base;
    if (endpoint.empty()) {
      signing.host = bucket + ".s3." + signing.region + ".amazonaws.com";
      signing.path = "/" + key;
      base = "https://" + signing.host;
    } else {
      UrlParts store = split_url(endpoint);
      signing.host = store.host;
      signing.path = (store.path == "/" ? "" : store.path) + "/" + bucket + "/" + key;
      base = store.scheme + "://" + store.host;
    }
    request.url = base + net::url_encode_path(signing.path);
    request.headers = sign_v4(signing, file.aws);
  } else if (parts.scheme == "gs") {
    std::string base = endpoint.empty() ? "https://storage.googleapis.com" : endpoint;
    request.url = base + "/" + parts.host + net::url_encode_path(parts.path);
    if (!file.gcs_access_token.empty())
      request.headers.emplace_back("Authorization", "Bearer " + file.gcs_access_token);
  } else if (parts.scheme == "azure") {
    // azure://<account>.blob.core.windows.net/<container>/<blob>
    std::string base = connection_string_value(file.abs_sas_connection_string, "BlobEndpoint");
    if (base.empty()) base = "https://" + parts.host;
    std::string sas =
        connection_string_value(file.abs_sas_connection_string, "SharedAccessSignature");
    request.url = without_trailing_slash(base) + net::url_encode_path(parts.path);
    if (!sas.empty()) request.url += "?" + sas;
  } else {
    throw Error(ErrorKind::kSource, "Keboola: unsupported slice URL scheme '" + parts.scheme + "'");
  }
  return request;
}

DownloadedExport download_export(const StorageClient& client, const FileInfo& file,
                                 const fs::path& dir, const std::string& prefix,
                                 const DownloadOptions& options) {
  std::vector<std::string> urls = file.sliced ? client.slice_urls(file) : std::vector{file.url};
  DownloadedExport result;
  result.slices = static_cast<int>(urls.size());
  std::vector<fs::path> paths(urls.size());
  std::vector<int64_t> written(urls.size(), 0);
  std::atomic<size_t> next{0};
  std::atomic<int64_t> transferred{0};

  auto fetch = [&](size_t index) {
    char name[32];
    std::snprintf(name, sizeof name, "_%04zu.csv", index);
    paths[index] = dir / (prefix + name);
    std::string what = "slice " + std::to_string(index + 1) + " of " + std::to_string(urls.size()) +
                       " of file " + std::to_string(file.id);
    std::unique_ptr<SliceWriter> writer;
    net::HttpResponse response;
    try {
      response = net::run_with_retries(options.retry, [&] {
        // Signatures carry a time, so every attempt is signed anew; a retry starts over.
        net::HttpRequest request = slice_request(urls[index], file, options);
        writer = std::make_unique<SliceWriter>(paths[index], !file.sliced);
        net::HttpResponse answer =
            net::HttpClient().stream(request, [&](std::string_view data) { writer->write(data); });
        if (answer.status / 100 == 2) writer->finish();
        return answer;
      });
    } catch (const Error& e) {
      throw Error(e.kind(), "Keboola: downloading " + what + " failed: " + e.what());
    }
    if (response.status / 100 != 2) {
      throw Error(ErrorKind::kSource, "Keboola: downloading " + what + " answered " +
                                          std::to_string(response.status) + ": " +
                                          std::string(trim(response.body.substr(0, 300))));
    }
    transferred += writer->received();
    written[index] = writer->written();
  };

  run_parallel(urls.size(), options.parallel, fetch);

  for (size_t i = 0; i < urls.size(); ++i) {
    if (written[i] == 0) {
      fs::remove(paths[i]);
      continue;
    }
    result.files.push_back(paths[i]);
    result.stored_bytes += written[i];
  }
  result.transferred_bytes = transferred;
  return result;
}

}  // namespace da::connectors::keboola
