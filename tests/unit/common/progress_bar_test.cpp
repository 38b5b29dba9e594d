#include "da/common/progress_bar.hpp"

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

namespace da {
namespace {

std::string captured(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0)
    text.append(buffer, n);
  return text;
}

TEST(ProgressBar, PrintsPlainLinesWithoutATerminal) {
  std::FILE* file = std::tmpfile();
  {
    ProgressBar bar("orders", 200, "rows", {file, false, std::chrono::milliseconds(0)});
    bar.update(100);
    bar.update(200);
  }
  std::string text = captured(file);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_NE(text.find("orders [############............]  50.0% 100/200 rows"), std::string::npos)
      << text;
  EXPECT_NE(text.find("100.0% 200/200 rows"), std::string::npos) << text;
  // Half done: the remaining half is estimated from the rate so far; done: no estimate.
  EXPECT_NE(text.find(" ETA "), std::string::npos) << text;
  EXPECT_EQ(text.substr(text.rfind("100.0%")).find("ETA"), std::string::npos) << text;
  std::fclose(file);
}

TEST(ProgressBar, RedrawsOneLineOnATerminal) {
  std::FILE* file = std::tmpfile();
  {
    ProgressBar bar("sync", 0, "tables", {file, true, std::chrono::milliseconds(0)});
    bar.advance(3);
    bar.finish();
  }
  std::string text = captured(file);
  EXPECT_NE(text.find("\r\033[2Ksync 3 tables"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
  std::fclose(file);
}

TEST(ProgressBar, ThrottlesPlainOutput) {
  std::FILE* file = std::tmpfile();
  {
    ProgressBar bar("big", 1000, "rows", {file, false, std::chrono::hours(1)});
    for (int i = 0; i < 1000; ++i)
      bar.update(i);
  }
  std::string text = captured(file);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;  // only the final line
  std::fclose(file);
}

}  // namespace
}  // namespace da
