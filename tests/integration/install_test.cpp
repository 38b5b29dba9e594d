// `cmake --install` of the build tree (what `make install` runs): the layout the package
// holds, and an installed tree that still runs after it is moved elsewhere, with its own
// libduckdb found through RUNPATH $ORIGIN/../lib/da and no path of the build tree left in it.
#include <functional>
#include <regex>
#include <set>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace da {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::run_process;
using testing::TempDir;

// The build tree: da is built at its top.
const std::string kBuildDir = fs::path(DA_BINARY).parent_path().string();

// Installs the build tree under DESTDIR `stage` with `prefix`.
void install(const fs::path& stage, const std::string& prefix) {
  testing::ProcessOptions options;
  options.env["DESTDIR"] = stage.string();
  auto result = run_process({"cmake", "--install", kBuildDir, "--prefix", prefix}, options);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
}

// The units of the source tree: every systemd/ folder up to four levels down (<folder>/systemd/*,
// <folder>/<module>/systemd/*, src/broker/<component>/systemd/*, src/broker/commands/<module>/systemd/*).
std::vector<fs::path> source_units() {
  auto skipped = [](const fs::path& folder) {
    std::string name = folder.filename().string();
    return name.rfind("build", 0) == 0 || name[0] == '.' || name == "third_party" ||
           name == "node_modules";
  };
  std::vector<fs::path> folders;
  std::function<void(const fs::path&, int)> visit = [&](const fs::path& dir, int depth) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!entry.is_directory() || skipped(entry.path())) continue;
      folders.push_back(entry.path() / "systemd");
      if (depth < 3) visit(entry.path(), depth + 1);
    }
  };
  visit(DA_SOURCE_DIR, 0);
  std::vector<fs::path> units;
  for (const fs::path& folder : folders) {
    if (!fs::is_directory(folder)) continue;
    for (const auto& file : fs::directory_iterator(folder))
      if (std::regex_search(file.path().string(), std::regex("\\.(service|timer|socket|path)$")))
        units.push_back(file.path());
  }
  return units;
}

// Whether two files hold the same bytes (compared quietly: a failure names the file, not its text).
bool same_content(const fs::path& a, const fs::path& b) {
  return fs::is_regular_file(a) && read_text(a) == read_text(b);
}

bool executable(const fs::path& file) {
  struct stat info {};
  return ::stat(file.c_str(), &info) == 0 && (info.st_mode & S_IXUSR) != 0;
}

// Every file under `root`, as paths relative to it.
std::set<std::string> files_under(const fs::path& root) {
  std::set<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file()) files.insert(fs::relative(entry.path(), root).string());
  return files;
}

TEST(InstallTree, HoldsTheBinaryItsDuckdbTheUnitsTheConfigExamplesTheServerFilesAndTheDocs) {
  TempDir dir;
  install(dir / "stage", "/usr");
  fs::path usr = dir / "stage/usr";
  EXPECT_TRUE(executable(usr / "bin/da"));
  EXPECT_TRUE(fs::is_regular_file(usr / "lib/da/libduckdb.so"));
  for (const char* file : {"instance.yaml.example", ".env.template", "data_description.md.example"})
    EXPECT_TRUE(
        same_content(usr / "share/da/config" / file, fs::path(DA_SOURCE_DIR) / "config" / file))
        << file;
  std::vector<fs::path> units = source_units();
  ASSERT_FALSE(units.empty());
  for (const fs::path& unit : units)
    EXPECT_TRUE(same_content(usr / "lib/systemd/system" / unit.filename(), unit)) << unit;
  // Every file under server/, with its executable bit; the nginx files also in nginx/.
  fs::path server = fs::path(DA_SOURCE_DIR) / "server";
  ASSERT_TRUE(fs::is_directory(usr / "share/da/server"));
  EXPECT_EQ(files_under(usr / "share/da/server"), files_under(server));
  for (const std::string& file : files_under(server))
    EXPECT_EQ(executable(usr / "share/da/server" / file), executable(server / file)) << file;
  EXPECT_EQ(files_under(usr / "share/da/nginx"), files_under(server / "nginx"));
  ASSERT_TRUE(fs::is_directory(usr / "share/doc/da"));
  EXPECT_EQ(files_under(usr / "share/doc/da"), files_under(fs::path(DA_SOURCE_DIR) / "docs"));
  // Nothing installed is writable by a group or others.
  for (const auto& entry : fs::recursive_directory_iterator(dir / "stage")) {
    if (entry.is_symlink()) continue;
    auto permissions = entry.status().permissions();
    EXPECT_EQ(permissions & (fs::perms::group_write | fs::perms::others_write), fs::perms::none)
        << entry.path();
  }
}

TEST(InstallTree, UnitsNameTheInstalledBinaryWhenThePrefixIsNotUsr) {
  TempDir dir;
  install(dir / "stage", "/opt/da-elsewhere");
  for (const fs::path& unit : source_units()) {
    fs::path installed_unit = dir / "stage/opt/da-elsewhere/lib/systemd/system" / unit.filename();
    ASSERT_TRUE(fs::is_regular_file(installed_unit)) << installed_unit;
    std::string installed = read_text(installed_unit);
    std::string expected =
        std::regex_replace(read_text(unit), std::regex("/usr/bin/da(?=[^-A-Za-z0-9_.]|$)"),
                           "/opt/da-elsewhere/bin/da");
    EXPECT_EQ(installed, expected) << unit;
    EXPECT_FALSE(std::regex_search(installed, std::regex("/usr/bin/da([^-A-Za-z0-9_.]|$)")))
        << installed;
  }
}

// An empty or relative RUNPATH entry would make the loader look in the current directory.
TEST(InstallTree, TheBuildTreeBinaryLoadsLibrariesOnlyFromAbsoluteFolders) {
  auto dynamic = run_process({"readelf", "--dynamic", DA_BINARY});
  std::smatch match;
  ASSERT_TRUE(std::regex_search(dynamic.out, match, std::regex(R"(Library runpath: \[([^\]]*)\])")))
      << dynamic.out;
  std::string runpath = match[1].str() + ":";
  for (std::size_t at = 0, end; (end = runpath.find(':', at)) != std::string::npos; at = end + 1)
    EXPECT_EQ(runpath.substr(at, 1), "/")
        << "entry " << runpath.substr(at, end - at) << " of " << match[1].str();
}

TEST(InstallTree, AMovedInstallRunsWithItsOwnDuckdbAndHoldsNoBuildTreePath) {
  TempDir dir;
  install(dir / "stage", "/usr");
  fs::path moved = dir / "elsewhere/da";
  fs::create_directories(moved.parent_path());
  fs::rename(dir / "stage/usr", moved);
  fs::path da = moved / "bin/da";

  auto dynamic = run_process({"readelf", "--dynamic", da.string()});
  ASSERT_EQ(dynamic.exit_code, 0) << dynamic.err;
  EXPECT_NE(dynamic.out.find("(RUNPATH)            Library runpath: [$ORIGIN/../lib/da]"),
            std::string::npos)
      << dynamic.out;
  EXPECT_EQ(dynamic.out.find("(RPATH)"), std::string::npos) << dynamic.out;
  EXPECT_EQ(dynamic.out.find(kBuildDir), std::string::npos) << dynamic.out;
  EXPECT_EQ(dynamic.out.find(DA_SOURCE_DIR), std::string::npos) << dynamic.out;

  testing::ProcessOptions options;
  options.unset_env = {"LD_LIBRARY_PATH", "DA_CONFIG_DIR", "CONFIG_DIR"};
  options.working_dir = dir.path();
  auto libraries = run_process({"ldd", da.string()}, options);
  EXPECT_NE(
      libraries.out.find("libduckdb.so => " + (moved / "bin/../lib/da/libduckdb.so").string()),
      std::string::npos)
      << libraries.out;

  auto version = run_process({da.string(), "--version"}, options);
  ASSERT_EQ(version.exit_code, 0) << version.err;
  EXPECT_EQ(version.out, testing::run_da({"--version"}).out);

  ASSERT_EQ(run_process({da.string(), "sample-data", "--size", "xs", "--out", "incoming"}, options)
                .exit_code,
            0);
  dir.write("config/instance.yaml",
            "data_source: {type: csv, csv: {base_dir: ./incoming}}\n"
            "paths: {data_dir: ./data, docs_dir: ./docs}\nlogging: {level: warn}\n");
  fs::create_directories(dir / "docs");
  fs::copy_file(dir / "incoming/data_description.md", dir / "docs/data_description.md");
  auto sync = run_process({da.string(), "--config", "config", "sync"}, options);
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  auto query = run_process(
      {da.string(), "--config", "config", "query", "SELECT count(*) AS n FROM orders"}, options);
  EXPECT_EQ(query.out, "n\n---\n100\n(1 row)\n") << query.err;
}

}  // namespace
}  // namespace da
