// scripts/package_deb.sh (what `make package` runs) on the build tree: a Debian package named
// after the project version, owned by root, with Debian package names as dependencies (and
// not the libduckdb it carries), whose binary runs from wherever the package is unpacked.
#include <regex>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

namespace da {
namespace {

namespace fs = std::filesystem;
using testing::run_process;
using testing::TempDir;

const std::string kBuildDir = fs::path(DA_BINARY).parent_path().string();

// The project version, as the built binary reports it ("da 0.1.0 (DuckDB v1.5.6)").
std::string project_version() {
  std::string out = testing::run_da({"--version"}).out;
  return out.substr(3, out.find(' ', 3) - 3);
}

// The package built once by the test that checks it (each test runs in a process of its own).
class DebianPackage {
 public:
  DebianPackage() {
    // gzip -1: the test checks what the package holds, not how small xz makes it.
    auto built = run_process({std::string(DA_SOURCE_DIR) + "/scripts/package_deb.sh", "--build-dir",
                              kBuildDir, "--out", out_.path().string(), "-Z", "gzip", "-z", "1"});
    output = built.out + built.err;
    exit_code = built.exit_code;
  }
  fs::path deb() const { return out_.path() / ("da_" + project_version() + "_amd64.deb"); }
  std::string field(const std::string& name) const {
    auto result = run_process({"dpkg-deb", "--field", deb().string(), name});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out.empty() ? "" : result.out.substr(0, result.out.size() - 1);
  }

  std::string output;
  int exit_code = -1;

 private:
  TempDir out_;
};

void expect_named_after_the_project_version(const DebianPackage& package) {
  auto field = [&](const std::string& name) { return package.field(name); };
  EXPECT_EQ(field("Package"), "da");
  EXPECT_EQ(field("Version"), project_version());
  EXPECT_EQ(field("Architecture"), "amd64");
  EXPECT_FALSE(field("Maintainer").empty());
  EXPECT_FALSE(field("Description").empty());
  EXPECT_GT(std::stol(field("Installed-Size")), 10'000);  // KiB: the binary and libduckdb
  EXPECT_EQ(field("Recommends").find("nginx"), 0u) << field("Recommends");
}

void expect_debian_dependencies(const DebianPackage& package) {
  std::string depends = package.field("Depends");
  for (const char* name :
       {"libc6 (>=", "libstdc++6 (>=", "libcurl4 (>=", "libsqlite3-0 (>=", "libssl3 (>=",
        "libsodium23 (>=", "libyaml-cpp0.7 (>=", "libsystemd0", "rsync", "systemd"})
    EXPECT_NE(depends.find(name), std::string::npos) << name << " in " << depends;
  EXPECT_EQ(depends.find("duckdb"), std::string::npos) << depends;
  // Every entry is a Debian package name, with a version constraint or not.
  std::regex entry(R"(^[a-z0-9][a-z0-9+.-]+( \([<>=]+ [^)]+\))?$)");
  std::istringstream entries(depends);
  for (std::string item; std::getline(entries, item, ',');) {
    item = std::regex_replace(item, std::regex("^ +| +$"), "");
    EXPECT_TRUE(std::regex_match(item, entry)) << item;
  }
}

void expect_layout_owned_by_root(const DebianPackage& package) {
  auto listing = run_process({"dpkg-deb", "--contents", package.deb().string()});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  std::string contents = listing.out;
  for (const char* path :
       {"./usr/bin/da", "./usr/lib/da/libduckdb.so", "./usr/share/da/config/instance.yaml.example",
        "./usr/share/da/config/.env.template", "./usr/share/da/config/data_description.md.example",
        "./usr/share/da/server/bin/add-analyst", "./usr/share/doc/da/portal.md",
        "./lib/systemd/system/da-ws-gateway.service"})
    EXPECT_NE(contents.find(std::string(" ") + path + "\n"), std::string::npos) << path;
  EXPECT_EQ(contents.find("./usr/lib/systemd"), std::string::npos) << contents;
  EXPECT_EQ(contents.find("./etc/"), std::string::npos) << contents;
  std::istringstream lines(contents);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_NE(line.find(" root/root "), std::string::npos) << line;
    EXPECT_NE(line.substr(5, 1), "w") << line;  // never group-writable
    EXPECT_NE(line.substr(8, 1), "w") << line;  // never writable by others
  }
  std::smatch match;
  ASSERT_TRUE(std::regex_search(
      contents, match,
      std::regex("(\\S+) root/root +\\d+ [^\n]* \\./usr/share/da/server/bin/add-analyst\n")));
  EXPECT_EQ(match[1].str(), "-rwxr-xr-x");
}

void expect_binary_runs_unpacked(const DebianPackage& package) {
  TempDir unpacked;
  ASSERT_EQ(run_process({"dpkg-deb", "--extract", package.deb().string(), unpacked.path().string()})
                .exit_code,
            0);
  testing::ProcessOptions options;
  options.unset_env = {"LD_LIBRARY_PATH"};
  auto version = run_process({(unpacked / "usr/bin/da").string(), "--version"}, options);
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_EQ(version.out.rfind("da " + project_version() + " (DuckDB", 0), 0u) << version.out;
}

TEST(DebianPackage, MakePackageBuildsARootOwnedDebWithDebianDependenciesThatRunsWhereverUnpacked) {
  DebianPackage package;
  ASSERT_EQ(package.exit_code, 0) << package.output;
  ASSERT_TRUE(fs::is_regular_file(package.deb())) << package.output;
  expect_named_after_the_project_version(package);
  expect_debian_dependencies(package);
  expect_layout_owned_by_root(package);
  expect_binary_runs_unpacked(package);
}

}  // namespace
}  // namespace da
