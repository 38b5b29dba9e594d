// The portal under a sub-path: with server.base_url https://host/tools/da the portal answers
// only under /tools/da/. Routes, handlers and templates work with site-local paths
// ("/catalog"); the portal strips the prefix from every request as it comes in and puts it
// back on what goes out (Location headers, cookie paths, links in pages, URLs the JavaScript
// calls). Without a path in base_url the prefix is "" and nothing changes.
#pragma once

#include <string>
#include <string_view>

#include "da/web/request.hpp"
#include "da/web/response.hpp"

namespace da::web {

class SubPath {
 public:
  // `prefix` is config::ServerConfig::base_path(): "" or "/a/b" (no trailing slash).
  explicit SubPath(std::string prefix) : prefix_(std::move(prefix)) {}

  enum class Entry {
    kInside,   // the request is for the portal: its path and target are now site-local
    kBare,     // exactly the prefix ("/tools/da"): answer with redirect_to_root()
    kOutside,  // a path outside the prefix: not the portal's (404)
  };
  // Removes the prefix from request.path and request.target and records it in
  // request.base_path. Idempotent: a request already entered stays as it is.
  Entry enter(Request& request) const;
  // 308 to the prefix with a slash ("/tools/da/"), the query kept.
  Response redirect_to_root(const Request& request) const;

  // The public form of a site-local path: "/catalog" -> "/tools/da/catalog". Anything that is
  // not a site-local path (an absolute URL, "//host", "") is returned as it is.
  std::string public_path(std::string_view local) const;
  // Rewrites the Location header of the answer to an entered request (see enter()) into its
  // public form when it holds a site-local path. Other answers are left as they are.
  void publish(const Request& request, Response& response) const;
  // The Path attribute of the portal's cookies: the prefix, or "/".
  std::string cookie_path() const { return prefix_.empty() ? "/" : prefix_; }
  const std::string& prefix() const { return prefix_; }

 private:
  std::string prefix_;
};

}  // namespace da::web
