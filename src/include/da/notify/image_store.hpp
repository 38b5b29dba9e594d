// Images attached to notifications (charts from analysts' scripts), kept in a folder of the
// broker under names nobody can guess, and served by the portal to their owner only.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace da::notify {

// Where the portal serves image `name` to its owner: a path on the portal's host that starts
// with the portal's sub-path `base_path` (config::ServerConfig::base_path(), "" at the root).
std::string image_url(std::string_view base_path, std::string_view name);

class ImageStore {
 public:
  static constexpr std::size_t kMaxBytes = 10 * 1024 * 1024;  // Telegram's photo limit

  explicit ImageStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Stores a PNG or JPEG under a new name ("<32 hex digits>.png"), mode 0644 in a folder nobody
  // may list (0711), and returns the
  // name. Error(kData) for anything that is not one of those, or is larger than kMaxBytes.
  std::string put(std::string_view bytes);
  // put() with the bytes of `path`, which must be a regular file (a link is refused, never
  // followed) owned by `owner` unless `any_owner`: services running as root read a caller's
  // image this way without opening anything else (a device is never opened). Every refusal is
  // the same Error(kData), which tells nothing about files the caller may not see.
  std::string put_file(const std::filesystem::path& path, uid_t owner, bool any_owner);
  // The file of `name`: nullopt unless `name` is a name put() makes and the file exists.
  std::optional<std::filesystem::path> path_of(std::string_view name) const;
  static std::string content_type(std::string_view name);
  // Deletes image `name` (a name put() made); false if there was none.
  bool remove(std::string_view name);

 private:
  std::filesystem::path dir_;
};

}  // namespace da::notify
