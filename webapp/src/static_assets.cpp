#include "da/web/static_assets.hpp"

#include "da/common/hash.hpp"
#include "da/web/embedded_file.hpp"
#include "da/web/gzip.hpp"

namespace da::web {

namespace {

std::string content_type_of(std::string_view path) {
  auto dot = path.rfind('.');
  std::string_view extension = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (extension == "css") return "text/css; charset=utf-8";
  if (extension == "js") return "text/javascript; charset=utf-8";
  if (extension == "svg") return "image/svg+xml";
  if (extension == "png") return "image/png";
  if (extension == "ico") return "image/x-icon";
  if (extension == "woff2") return "font/woff2";
  if (extension == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

StaticAssets::StaticAssets() {
  std::string all_hashes;
  for (std::size_t i = 0; i < kStaticFiles_count; ++i) {
    const EmbeddedFile& file = kStaticFiles[i];
    std::string_view content(reinterpret_cast<const char*>(file.data), file.size);
    std::string hash = sha256_hex(content);
    all_hashes += hash;
    std::string type = content_type_of(file.path);
    bool textual = type.rfind("text/", 0) == 0 || type.rfind("image/svg", 0) == 0;
    assets_.emplace_back(file.path, StaticAsset{content, type, "\"" + hash.substr(0, 32) + "\"",
                                                textual ? gzip(content, 9) : std::string()});
  }
  version_ = sha256_hex(all_hashes).substr(0, 12);
}

const StaticAsset* StaticAssets::find(std::string_view relative_path) const {
  if (relative_path.find("..") != std::string_view::npos) return nullptr;
  for (const auto& [path, asset] : assets_)
    if (path == relative_path) return &asset;
  return nullptr;
}

Response StaticAssets::serve(const Request& request, std::string_view relative_path) const {
  const StaticAsset* asset = find(relative_path);
  if (!asset) return Response::text(404, "Not Found\n");
  Response response;
  response.set_header("ETag", asset->etag);
  response.set_header("Cache-Control", request.query_param("v")
                                           ? "public, max-age=31536000, immutable"
                                           : "public, max-age=300");
  if (request.header("if-none-match") == asset->etag) {
    response.status = 304;
    return response;
  }
  response.set_header("Content-Type", asset->content_type);
  response.set_header("Vary", "Accept-Encoding");
  if (!asset->gzipped.empty() && accepts_gzip(request.header("accept-encoding"))) {
    response.body = asset->gzipped;
    response.set_header("Content-Encoding", "gzip");
  } else {
    response.body = std::string(asset->content);
  }
  return response;
}

}  // namespace da::web
