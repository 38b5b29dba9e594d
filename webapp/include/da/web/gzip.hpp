// gzip for responses. A page is sent as one gzip member assembled from pieces compressed
// separately: a piece shared by every visitor (the catalog) is compressed once per version and
// only the small per-visitor pieces (the layout around it) are compressed per request.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace da::web {

// Raw deflate data ending on a byte boundary (a sync flush), with the CRC-32 and length of
// the uncompressed input, ready to be concatenated with other pieces.
struct DeflatePiece {
  std::string data;
  uint32_t crc = 0;
  uint64_t length = 0;
};

DeflatePiece deflate_piece(std::string_view input, int level = 6);
// The same without compressing: stored blocks, for small per-request pieces where setting up a
// compressor costs more than the bytes it saves.
DeflatePiece stored_piece(std::string_view input);
// A complete gzip stream of the pieces' inputs in order.
std::string gzip_join(const DeflatePiece* pieces, std::size_t count);
std::string gzip(std::string_view input, int level = 6);
// True if the Accept-Encoding header value admits gzip (and does not refuse it with q=0).
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace da::web
