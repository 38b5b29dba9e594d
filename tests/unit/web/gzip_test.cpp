#include "da/web/gzip.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

namespace da::web {
namespace {

std::string gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 16 + MAX_WBITS), Z_OK);
  std::string out(4 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&stream, Z_FINISH);
  EXPECT_EQ(rc, Z_STREAM_END) << "not one complete gzip stream";
  EXPECT_EQ(stream.avail_in, 0u) << "bytes after the gzip trailer";
  out.resize(out.size() - stream.avail_out);
  inflateEnd(&stream);
  return out;
}

TEST(Gzip, PiecesCompressedApartJoinIntoOneValidStream) {
  std::string head = "<html><body>", middle(50000, 'x'), tail = "</body></html>";
  for (std::size_t i = 0; i < middle.size(); i += 7)
    middle[i] = static_cast<char>('a' + i % 26);
  DeflatePiece pieces[] = {deflate_piece(head, 1), deflate_piece(middle, 9),
                           deflate_piece(tail, 1)};
  EXPECT_EQ(gunzip(gzip_join(pieces, 3)), head + middle + tail);
}

TEST(Gzip, StoredPiecesOfAnySizeJoinWithCompressedOnes) {
  std::string big(200000, 'q');
  for (std::size_t i = 0; i < big.size(); i += 3)
    big[i] = static_cast<char>(i % 251);
  DeflatePiece pieces[] = {stored_piece("head"), deflate_piece(big), stored_piece(big),
                           stored_piece("")};
  EXPECT_EQ(gunzip(gzip_join(pieces, 4)), "head" + big + big);
}

TEST(Gzip, EmptyInputsAndSinglePiecesRoundTrip) {
  EXPECT_EQ(gunzip(gzip("")), "");
  EXPECT_EQ(gunzip(gzip("hello")), "hello");
  DeflatePiece pieces[] = {deflate_piece(""), deflate_piece("a"), deflate_piece("")};
  EXPECT_EQ(gunzip(gzip_join(pieces, 3)), "a");
}

TEST(Gzip, AcceptEncodingIsReadWithQualities) {
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, gzip;q=0.8"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("br, deflate"));
  EXPECT_FALSE(accepts_gzip(""));
}

}  // namespace
}  // namespace da::web
