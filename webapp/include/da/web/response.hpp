// An HTTP response built by a handler. The server adds Date, Content-Length and Connection.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace da::web {

// Bytes [offset, offset + length) of a file, sent from disk in pieces (large downloads).
struct FileBody {
  std::filesystem::path path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<FileBody> file;  // sent instead of `body` when set

  // Replaces any header of that name (names compared in any case).
  Response& set_header(std::string name, std::string value);
  // Adds a header even if one of that name exists (Set-Cookie).
  Response& add_header(std::string name, std::string value);
  std::string_view header(std::string_view name) const;

  static Response json(int status, const nlohmann::json& body);
  static Response html(int status, std::string body);
  static Response text(int status, std::string body);
  // 303 See Other to a site-local path ("/dashboard"; the portal adds its sub-path, see
  // da/web/sub_path.hpp) or to an absolute URL, used as given.
  static Response redirect(std::string location, int status = 303);
  // {"error": message} for /api/ paths.
  static Response json_error(int status, std::string_view message);
};

// "Not Found" for 404, ...
const char* status_reason(int status);

}  // namespace da::web
