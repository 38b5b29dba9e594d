#include "keboola/client/gzip_inflater.hpp"
#include "support/expect_error.hpp"
#include <gtest/gtest.h>
#include <zlib.h>

namespace da::connectors::keboola {
namespace {

std::string gzip(const std::string& text) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, text.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// Feeds `data` in pieces of `piece` bytes.
std::string inflate_all(const std::string& data, size_t piece) {
  GzipInflater inflater("test.gz");
  std::string out;
  for (size_t at = 0; at < data.size(); at += piece)
    inflater.push(std::string_view(data).substr(at, piece),
                  [&](std::string_view chunk) { out.append(chunk); });
  inflater.finish();
  return out;
}

TEST(KeboolaGzip, InflatesInAnyPieceSizeAndAcrossMembers) {
  std::string text;
  for (int i = 0; i < 50'000; ++i)
    text += "\"" + std::to_string(i) + "\",\"row\"\n";
  std::string data = gzip(text.substr(0, 100'000)) + gzip(text.substr(100'000));
  for (size_t piece : {size_t{1}, size_t{7}, size_t{4096}, data.size()})
    EXPECT_EQ(inflate_all(data, piece), text) << "piece " << piece;
  EXPECT_EQ(inflate_all(gzip(""), 3), "");
}

TEST(KeboolaGzip, CorruptAndTruncatedDataAreSourceErrors) {
  std::string data = gzip(std::string(100'000, 'x') + "end");
  std::string corrupt = data;
  corrupt[corrupt.size() - 6] ^= 0x55;  // the CRC no longer matches
  EXPECT_NE(da::testing::thrown_message(ErrorKind::kSource, [&] { inflate_all(corrupt, 512); })
                .find("test.gz"),
            std::string::npos);
  std::string truncated = data.substr(0, data.size() / 2);
  EXPECT_NE(da::testing::thrown_message(ErrorKind::kSource, [&] { inflate_all(truncated, 512); })
                .find("ended early"),
            std::string::npos);
}

}  // namespace
}  // namespace da::connectors::keboola
