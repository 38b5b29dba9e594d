#include "keboola/client/gzip_inflater.hpp"
#include "support/expect_error.hpp"
#include <gtest/gtest.h>

#include "da/web/gzip.hpp"

namespace da::connectors::keboola {
namespace {

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
  std::string data = web::gzip(text.substr(0, 100'000)) + web::gzip(text.substr(100'000));
  for (size_t piece : {size_t{1}, size_t{7}, size_t{4096}, data.size()})
    EXPECT_EQ(inflate_all(data, piece), text) << "piece " << piece;
  EXPECT_EQ(inflate_all(web::gzip(""), 3), "");
}

TEST(KeboolaGzip, CorruptAndTruncatedDataAreSourceErrors) {
  std::string data = web::gzip(std::string(100'000, 'x') + "end");
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
