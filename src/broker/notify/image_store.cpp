#include "da/notify/image_store.hpp"

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "da/common/atomic_file.hpp"
#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/file_stamp.hpp"
#include "da/common/hash.hpp"

namespace da::notify {

namespace {

bool is_png(std::string_view bytes) {
  return bytes.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8);
}

bool is_jpeg(std::string_view bytes) {
  return bytes.size() > 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
         static_cast<unsigned char>(bytes[1]) == 0xD8 && static_cast<unsigned char>(bytes[2]) == 0xFF;
}

}  // namespace

std::string image_url(std::string_view base_path, std::string_view name) {
  return std::string(base_path) + "/api/notifications/images/" + std::string(name);
}

std::string ImageStore::put(std::string_view bytes) {
  if (bytes.size() > kMaxBytes)
    throw Error(ErrorKind::kData, "the image is larger than 10 MB");
  std::string extension = is_png(bytes) ? ".png" : is_jpeg(bytes) ? ".jpg" : "";
  if (extension.empty()) throw Error(ErrorKind::kData, "the image must be a PNG or a JPEG");
  std::error_code ignored;
  // Services that send the images (the bot, the portal) may read a file whose name they know;
  // nobody may list the folder, and the names are 128 random bits.
  if (std::filesystem::create_directories(dir_, ignored)) ::chmod(dir_.c_str(), 0711);
  // 128 random bits, in hex.
  std::string name = sha256_hex(random_bytes(32)).substr(0, 32) + extension;
  write_file_atomically(dir_ / name, bytes, 0644);
  return name;
}

std::string ImageStore::put_file(const std::filesystem::path& path, uid_t owner, bool any_owner) {
  // One answer for every refusal, so that a caller cannot learn what exists where it may not
  // look; and the file is only looked at (O_PATH) until it is known to be the caller's own
  // regular file, so that naming a device opens nothing.
  auto refused = [&] {
    return Error(ErrorKind::kData, "the image " + path.string() +
                                       " must be a PNG or JPEG file of yours (not a link)");
  };
  int probe = ::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (probe < 0) throw refused();
  struct stat info {};
  bool acceptable = ::fstat(probe, &info) == 0 && S_ISREG(info.st_mode) &&
                    (any_owner || info.st_uid == owner);
  int fd = -1;
  if (acceptable)
    fd = ::open(("/proc/self/fd/" + std::to_string(probe)).c_str(), O_RDONLY | O_CLOEXEC);
  ::close(probe);
  if (fd < 0) throw refused();
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (static_cast<std::size_t>(info.st_size) > kMaxBytes)
    throw Error(ErrorKind::kData, "the image is larger than 10 MB");
  std::string bytes(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t got = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    done += static_cast<std::size_t>(got);
  }
  bytes.resize(done);
  return put(bytes);
}

std::optional<std::filesystem::path> ImageStore::path_of(std::string_view name) const {
  if (name.size() != 36 || (name.substr(32) != ".png" && name.substr(32) != ".jpg"))
    return std::nullopt;
  for (char c : name.substr(0, 32))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  std::filesystem::path file = dir_ / std::string(name);
  if (!regular_file_stamp(file)) return std::nullopt;
  return file;
}

bool ImageStore::remove(std::string_view name) {
  auto path = path_of(name);
  return path && ::unlink(path->c_str()) == 0;
}

std::string ImageStore::content_type(std::string_view name) {
  return name.size() > 4 && name.substr(name.size() - 4) == ".png" ? "image/png" : "image/jpeg";
}

}  // namespace da::notify
