#include "csv_source.hpp"

#include <algorithm>

#include <glob.h>
#include <sys/stat.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::connectors::csv {

namespace fs = std::filesystem;

namespace {

bool has_glob_characters(const std::string& pattern) {
  return pattern.find_first_of("*?[") != std::string::npos;
}

std::optional<sync::SourceFile> stat_file(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
  int64_t modified =
      static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
  return sync::SourceFile{path, static_cast<int64_t>(info.st_size), modified};
}

bool is_csv_name(const std::string& name) {
  for (const char* suffix : {".csv", ".csv.gz", ".tsv", ".tsv.gz"}) {
    std::string_view ending(suffix);
    if (name.size() > ending.size() &&
        name.compare(name.size() - ending.size(), ending.size(), ending) == 0)
      return true;
  }
  return false;
}

std::string table_name_of(const std::string& file_name) {
  std::string stem = file_name.substr(0, file_name.find('.'));
  for (char& c : stem) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  return stem;
}

}  // namespace

std::string CsvSource::name() const {
  return "CSV files in " + settings_.base_dir.string();
}

fs::path CsvSource::file_pattern(const catalog::TableConfig& table) const {
  std::string pattern = table.source.value_or(settings_.path_template);
  pattern = replace_all(pattern, "{name}", table.name);
  pattern = replace_all(pattern, "{id}", table.id);
  pattern = replace_all(pattern, "{bucket}", table.bucket());
  return fs::path(pattern).is_absolute() ? fs::path(pattern) : settings_.base_dir / pattern;
}

std::vector<sync::SourceFile> CsvSource::table_files(const catalog::TableConfig& table) const {
  fs::path full = file_pattern(table);
  std::vector<sync::SourceFile> files;
  if (!has_glob_characters(full.string())) {
    auto file = stat_file(full);
    if (!file)
      throw Error(ErrorKind::kSource, table.id + ": source file not found: " + full.string());
    files.push_back(*file);
    return files;
  }
  glob_t matches{};
  int rc = ::glob(full.c_str(), 0, nullptr, &matches);
  for (size_t i = 0; rc == 0 && i < matches.gl_pathc; ++i) {
    if (auto file = stat_file(matches.gl_pathv[i])) files.push_back(*file);
  }
  ::globfree(&matches);
  if (files.empty())
    throw Error(ErrorKind::kSource, table.id + ": no file matches " + full.string());
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  return files;
}

sync::Extract CsvSource::extract(const sync::ExtractRequest& request, sync::StagingArea&) {
  sync::Extract extract;
  extract.started_at = now_utc();
  extract.format = sync::FileFormat::kCsv;
  extract.csv = settings_.dialect;
  extract.fingerprint = table_files(request.table);
  for (const sync::SourceFile& file : extract.fingerprint) {
    bool known = request.incremental &&
                 std::find(request.known_files.begin(), request.known_files.end(), file) !=
                     request.known_files.end();
    if (!known) extract.files.push_back(file);
  }
  return extract;
}

std::string CsvSource::check_connection() {
  std::error_code error;
  if (!fs::is_directory(settings_.base_dir, error)) {
    throw Error(ErrorKind::kSource,
                "data_source.csv.base_dir is not a folder: " + settings_.base_dir.string());
  }
  fs::directory_iterator entries(settings_.base_dir, error);
  if (error) {
    throw Error(ErrorKind::kSource, "cannot read data_source.csv.base_dir " +
                                        settings_.base_dir.string() + ": " + error.message());
  }
  return name();
}

std::vector<sync::DiscoveredTable> CsvSource::discover_tables() {
  std::vector<sync::DiscoveredTable> tables;
  if (!fs::is_directory(settings_.base_dir)) {
    throw Error(ErrorKind::kSource,
                "data_source.csv.base_dir is not a folder: " + settings_.base_dir.string());
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(settings_.base_dir)) {
    if (entry.is_regular_file() && is_csv_name(entry.path().filename().string()))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  duck::Database database;
  duck::Connection connection(database);
  for (const fs::path& file : files) {
    sync::DiscoveredTable table;
    table.name = table_name_of(file.filename().string());
    table.id = "csv." + table.name;
    table.location = file.string();
    catalog::TableConfig as_registered;
    as_registered.id = table.id;
    as_registered.name = table.name;
    if (file_pattern(as_registered) != file) table.source = file.filename().string();
    table.size_bytes = static_cast<int64_t>(fs::file_size(file));
    std::string relation = "read_csv(" + duck::quote_path(file) + ", skip = 0, encoding = " +
                           duck::quote_literal(settings_.dialect.encoding) + ")";
    try {
      for (const auto& row : connection.query("DESCRIBE SELECT * FROM " + relation).fetch_all()) {
        table.columns.push_back({row[0].text(), row[1].text(), ""});
      }
      table.row_count = connection.query("SELECT count(*) FROM " + relation).scalar().as_int();
    } catch (const Error& e) {
      std::string message = e.what();
      throw Error(ErrorKind::kSource, file.string() + ": " + message.substr(0, message.find('\n')));
    }
    tables.push_back(std::move(table));
  }
  return tables;
}

}  // namespace da::connectors::csv
