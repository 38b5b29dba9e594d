// A "billion laughs" YAML document (under 1 KB, 10^9 nodes once its aliases are expanded) in
// each file the product reads: the real `da config check` refuses it within a second and 50 MB,
// naming the file and the line. The measurements are the process's own (wait4's rusage).
#include <iostream>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

namespace da {
namespace {

using testing::ProcessOptions;
using testing::ProcessResult;
using testing::run_da;
using testing::TempDir;

constexpr long kMaxRssKb = 50 * 1024;
// CPU seconds, not wall time: a parser that expanded the bomb would burn minutes of CPU, while a
// busy machine only stretches the wall clock.
constexpr double kMaxCpuSeconds = 1.0;

// Nine levels of nine aliases each, one per line (lol0 to lol8); lol4 is the first level
// whose aliases expand beyond the limit.
std::string billion_laughs() {
  std::string yaml =
      "lol0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
      "\"lol\"]\n";
  for (int level = 1; level <= 8; ++level) {
    std::string previous = "*a" + std::to_string(level - 1);
    yaml += "lol" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 9; ++i)
      yaml += (i ? "," : "") + previous;
    yaml += "]\n";
  }
  return yaml;
}

class YamlBombCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("config/instance.yaml", "instance:\n  name: Test\n");
    dir_.write("docs/data_description.md",
               "```yaml\ntables:\n  - {id: in.c-a.t, name: t, description: x, primary_key: id, "
               "sync_strategy: full_refresh}\n```\n");
  }

  ProcessResult check() {
    ProcessOptions options;
    // Without the limits the parser would grow to gigabytes; fail fast instead.
    options.address_space_limit = 4ULL << 30;
    return run_da({"--config", (dir_ / "config").string(), "config", "check", "--for", "engine"},
                  options);
  }

  void expect_refused_quickly_and_small(const ProcessResult& result, const std::string& where) {
    EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
    EXPECT_NE(result.out.find(where), std::string::npos) << result.out << result.err;
    EXPECT_NE(result.out.find("aliases of this file expand to more than"), std::string::npos)
        << result.out;
    EXPECT_LT(result.cpu_seconds, kMaxCpuSeconds);
    EXPECT_LT(result.peak_rss_kb, kMaxRssKb);
    std::cout << where << " refused in " << result.cpu_seconds << " s of CPU, peak RSS "
              << result.peak_rss_kb / 1024.0 << " MB\n";
  }

  TempDir dir_;
};

TEST_F(YamlBombCli, InInstanceYamlIsRefusedWithinASecondAnd50MB) {
  dir_.write("config/instance.yaml", "instance:\n  name: Test\n" + billion_laughs());
  expect_refused_quickly_and_small(check(), "instance.yaml:7:");
}

TEST_F(YamlBombCli, InDataDescriptionIsRefusedWithinASecondAnd50MB) {
  dir_.write("docs/data_description.md",
             "# Catalog\n\n```yaml\ntables: []\n" + billion_laughs() + "```\n");
  expect_refused_quickly_and_small(check(), "data_description.md:9:");
}

TEST_F(YamlBombCli, InADatasetDocumentIsRefusedWithinASecondAnd50MB) {
  dir_.write("docs/datasets/web.md", "```yaml\ntables: []\n" + billion_laughs() + "```\n");
  expect_refused_quickly_and_small(check(), "web.md:7:");
}

// Anchors inside anchors, each holding the same 1 MB of text, with no alias at all.
TEST_F(YamlBombCli, NestedAnchorsAreNotCopies) {
  std::string yaml = "instance:\n  name: Test\nnested: ";
  for (int level = 0; level < 60; ++level)
    yaml += "&n" + std::to_string(level) + " [";
  yaml += std::string(1'000'000, 'x') + std::string(60, ']') + "\n";
  dir_.write("config/instance.yaml", yaml);
  ProcessResult result = check();
  EXPECT_NE(result.out.find("nested: unknown key"), std::string::npos) << result.out << result.err;
  EXPECT_LT(result.cpu_seconds, kMaxCpuSeconds);
  EXPECT_LT(result.peak_rss_kb, kMaxRssKb);
  std::cout << "nested anchors read in " << result.cpu_seconds << " s of CPU, peak RSS "
            << result.peak_rss_kb / 1024.0 << " MB\n";
}

TEST_F(YamlBombCli, InAMetricFileIsRefusedWithinASecondAnd50MB) {
  dir_.write("docs/metrics/sales/revenue.yml", "name: revenue\n" + billion_laughs());
  expect_refused_quickly_and_small(check(), "revenue.yml:6:");
}

}  // namespace
}  // namespace da
