#include "da/net/ca_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "da/common/error.hpp"

namespace da::net {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what, const fs::path& file, const std::string& problem) {
  throw Error(ErrorKind::kConfig, what + " " + file.string() + " " + problem +
                                      " (expected a PEM file of CA certificates)");
}

}  // namespace

void check_ca_file(const fs::path& file, const std::string& what) {
  std::error_code error;
  fs::file_status status = fs::status(file, error);
  if (status.type() == fs::file_type::not_found) fail(what, file, "does not exist");
  if (error) fail(what, file, "cannot be read: " + error.message());
  if (status.type() != fs::file_type::regular) fail(what, file, "is not a regular file");
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(what, file, std::string("cannot be read: ") + std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    fail(what, file, "holds no certificate");
}

}  // namespace da::net
