#include "da/common/error.hpp"

#include <cstring>

namespace da {

const char* to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::kConfig:
      return "config";
    case ErrorKind::kData:
      return "data";
    case ErrorKind::kRequest:
      return "request";
    case ErrorKind::kSource:
      return "source";
    case ErrorKind::kConflict:
      return "conflict";
    case ErrorKind::kAuth:
      return "auth";
    case ErrorKind::kNotFound:
      return "not_found";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "internal";
}

void throw_system_error(const std::string& what, const std::string& path, int errno_value) {
  throw Error(ErrorKind::kInternal, what + " '" + path + "': " + std::strerror(errno_value));
}

}  // namespace da
