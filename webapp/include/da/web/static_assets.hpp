// The portal's CSS, JavaScript and images, embedded in the binary at build time (webapp/static)
// so that a deployment is one file and nothing is fetched from a CDN.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "da/web/request.hpp"
#include "da/web/response.hpp"

namespace da::web {

struct StaticAsset {
  std::string_view content;
  std::string content_type;
  std::string etag;     // quoted strong validator from the content hash
  std::string gzipped;  // compressed once, for text assets; empty otherwise
};

class StaticAssets {
 public:
  StaticAssets();
  // The asset at `relative_path` ("app.css"), or nullopt (also for any path with "..").
  const StaticAsset* find(std::string_view relative_path) const;
  // Serves GET /static/<path>: 200 with ETag and cache headers (gzipped when the client accepts
  // it), 304 on a matching If-None-Match, 404 otherwise.
  Response serve(const Request& request, std::string_view relative_path) const;
  // A short hash of all assets, appended to asset URLs (?v=) so browsers refetch after upgrades.
  const std::string& version() const { return version_; }

 private:
  std::vector<std::pair<std::string, StaticAsset>> assets_;
  std::string version_;
};

}  // namespace da::web
