#include "da/web/gzip.hpp"

#include <algorithm>
#include <cstdlib>

#include <zlib.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::web {

DeflatePiece deflate_piece(std::string_view input, int level) {
  z_stream stream{};
  if (deflateInit2(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error(ErrorKind::kInternal, "zlib deflateInit2 failed");
  DeflatePiece piece;
  piece.data.resize(deflateBound(&stream, input.size()) + 16);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(piece.data.data());
  stream.avail_out = static_cast<uInt>(piece.data.size());
  int rc = deflate(&stream, Z_SYNC_FLUSH);
  piece.data.resize(piece.data.size() - stream.avail_out);
  deflateEnd(&stream);
  if (rc != Z_OK && rc != Z_BUF_ERROR) throw Error(ErrorKind::kInternal, "zlib deflate failed");
  piece.crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(input.data()), static_cast<uInt>(input.size())));
  piece.length = input.size();
  return piece;
}

DeflatePiece stored_piece(std::string_view input) {
  DeflatePiece piece;
  piece.data.reserve(input.size() + (input.size() / 65535 + 1) * 5);
  for (std::size_t offset = 0; offset < input.size(); offset += 65535) {
    std::size_t n = std::min<std::size_t>(65535, input.size() - offset);
    piece.data.push_back('\0');  // BFINAL 0, BTYPE 00 (stored), padded to the byte
    piece.data.push_back(static_cast<char>(n & 0xFF));
    piece.data.push_back(static_cast<char>(n >> 8));
    piece.data.push_back(static_cast<char>(~n & 0xFF));
    piece.data.push_back(static_cast<char>((~n >> 8) & 0xFF));
    piece.data.append(input.substr(offset, n));
  }
  piece.crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(input.data()), static_cast<uInt>(input.size())));
  piece.length = input.size();
  return piece;
}

std::string gzip_join(const DeflatePiece* pieces, std::size_t count) {
  static const char kHeader[] = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 0, '\x03'};
  // An empty final stored block ends the deflate stream that the sync-flushed pieces began.
  static const char kFinalBlock[] = {3, 0};
  std::string out(kHeader, sizeof kHeader);
  uLong crc = crc32(0L, Z_NULL, 0);
  uint64_t length = 0;
  for (std::size_t i = 0; i < count; ++i) {
    out += pieces[i].data;
    crc = crc32_combine(crc, pieces[i].crc, static_cast<z_off_t>(pieces[i].length));
    length += pieces[i].length;
  }
  out.append(kFinalBlock, sizeof kFinalBlock);
  for (int shift = 0; shift < 32; shift += 8)
    out.push_back(static_cast<char>((crc >> shift) & 0xFF));
  for (int shift = 0; shift < 32; shift += 8)
    out.push_back(static_cast<char>((length >> shift) & 0xFF));
  return out;
}

std::string gzip(std::string_view input, int level) {
  DeflatePiece piece = deflate_piece(input, level);
  return gzip_join(&piece, 1);
}

bool accepts_gzip(std::string_view accept_encoding) {
  for (const std::string& part : split_trimmed(accept_encoding, ',')) {
    std::string_view coding = trim(std::string_view(part).substr(0, part.find(';')));
    if (coding != "gzip" && coding != "*") continue;
    auto q = part.find("q=");
    return q == std::string::npos || std::strtod(part.c_str() + q + 2, nullptr) > 0;
  }
  return false;
}

}  // namespace da::web
