// The one exception type of the project. Every error carries a kind, which the boundaries
// map to an exit code (CLI) or an HTTP status (web), and a message a user can act on:
// what failed, where (file:line, table id, column, key path) and what to do.
#pragma once

#include <stdexcept>
#include <string>

namespace da {

enum class ErrorKind {
  kConfig,    // instance.yaml, data_description.md, command-line usage
  kData,      // a value, file or schema in the data itself
  kRequest,   // a malformed request from a client: HTTP body, JSON field, WebSocket message
  kSource,    // a data source failed or answered something unexpected
  kConflict,  // a concurrent change or a lock held by someone else
  kAuth,      // authentication or authorization
  kNotFound,  // a named thing does not exist
  kInternal,  // a bug or an environment failure (I/O, out of memory)
};

// "config", "data", ... as used in logs and JSON output.
const char* to_string(ErrorKind kind) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

// Throws Error(kInternal) naming the operation, the path and strerror(errno_value).
[[noreturn]] void throw_system_error(const std::string& what, const std::string& path,
                                     int errno_value);

}  // namespace da
