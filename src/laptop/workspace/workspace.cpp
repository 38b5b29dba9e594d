#include "da/workspace/workspace.hpp"

#include <map>
#include <set>
#include <system_error>

#include "da/catalog/data_description.hpp"
#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/duck_error.hpp"
#include "da/duck/sql_quote.hpp"
#include "da/published/published_views.hpp"

namespace da::workspace {

namespace fs = std::filesystem;
using duck::quote_identifier;
using duck::quote_literal;

namespace {

constexpr const char* kManagedComment = "da workspace: ";

constexpr const char* kDefaultClaudeSettings = R"json({
  "permissions": {
    "allow": [
      "Bash(da query:*)",
      "Bash(da pull:*)",
      "Bash(da metrics:*)",
      "Read(server/**)",
      "Read(user/**)",
      "Edit(user/**)",
      "Write(user/**)"
    ],
    "deny": [
      "Edit(server/**)",
      "Write(server/**)"
    ]
  }
}
)json";

const char* const kUserFolders[] = {"duckdb",  "notifications", "artifacts",
                                    "scripts", "parquet",       "sessions"};

void make_folder(const fs::path& path, InitReport& report) {
  std::error_code error;
  if (fs::is_symlink(fs::symlink_status(path, error)))
    throw Error(ErrorKind::kConfig, path.string() +
                                        " is a symbolic link; a workspace folder must "
                                        "be a real folder");
  if (fs::is_directory(path, error)) return;
  if (!fs::create_directories(path, error) && error)
    throw_system_error("cannot create the workspace folder", path.string(), error.value());
  report.created.push_back(path);
}

// Copies `from` over `to` when `from` exists and differs; true if `to` was written.
bool refresh_copy(const fs::path& from, const fs::path& to) {
  std::error_code error;
  if (!fs::is_regular_file(from, error)) return false;
  std::string content = read_file(from);
  if (fs::is_regular_file(to, error) && read_file(to) == content) return false;
  write_file_atomically(to, content, 0644);
  return true;
}

void write_assistant_files(const Layout& layout, InitReport* report) {
  fs::path claude_md = layout.root / "CLAUDE.md";
  if (refresh_copy(layout.server() / "docs" / "CLAUDE.md", claude_md) && report)
    report->created.push_back(claude_md);
  fs::path settings = layout.root / ".claude" / "settings.json";
  fs::create_directories(settings.parent_path());
  if (refresh_copy(layout.server() / "docs" / "setup" / "claude_settings.json", settings)) {
    if (report) report->created.push_back(settings);
  } else if (!fs::exists(settings)) {
    write_file_atomically(settings, kDefaultClaudeSettings, 0644);
    if (report) report->created.push_back(settings);
  }
}

// Rows per table from the Parquet footers of every file, in one query.
std::map<fs::path, int64_t> parquet_rows(duck::Connection& connection,
                                         const std::vector<published::PublishedView>& views) {
  std::map<fs::path, int64_t> rows;
  std::vector<std::string> sources;
  for (const published::PublishedView& view : views) {
    if (rows.emplace(view.location, 0).second) sources.push_back(view.source);
  }
  if (sources.empty()) return rows;
  std::string list;
  for (const std::string& source : sources)
    list += (list.empty() ? "" : ", ") + source;
  for (const auto& row :
       connection.query("SELECT file_name, num_rows FROM parquet_file_metadata([" + list + "])")
           .fetch_all()) {
    fs::path file(row[0].text());
    auto found = rows.find(file);
    if (found == rows.end()) found = rows.find(file.parent_path());
    if (found != rows.end()) found->second += row[1].as_int();
  }
  return rows;
}

}  // namespace

Layout layout_of(const fs::path& root) {
  return Layout{fs::absolute(root).lexically_normal()};
}

fs::path find_workspace(const fs::path& start) {
  std::error_code error;
  for (fs::path dir = fs::absolute(start); !dir.empty(); dir = dir.parent_path()) {
    Layout layout{dir};
    if (fs::exists(layout.database(), error) ||
        fs::exists(layout.server() / "docs" / "data_description.md", error))
      return dir;
    if (dir == dir.root_path()) break;
  }
  return {};
}

InitReport init_workspace(const Layout& layout) {
  InitReport report;
  make_folder(layout.root, report);
  report.created.clear();  // the folder itself is not news
  make_folder(layout.server(), report);
  make_folder(layout.user(), report);
  for (const char* folder : kUserFolders)
    make_folder(layout.user() / folder, report);
  make_folder(layout.root / ".claude", report);
  write_assistant_files(layout, &report);
  return report;
}

RefreshReport refresh_workspace(const Layout& layout, RowCounts counts) {
  fs::path docs = layout.server() / "docs";
  if (!fs::is_regular_file(docs / "data_description.md"))
    throw Error(ErrorKind::kConfig, (docs / "data_description.md").string() +
                                        " is missing: pull from the broker first (da pull)");
  catalog::DataDescription catalog = catalog::load_data_description_or_throw(docs);
  InitReport ignored;
  make_folder(layout.user() / "duckdb", ignored);
  write_assistant_files(layout, nullptr);

  RefreshReport report;
  std::vector<published::PublishedView> views =
      published::published_views(layout.server(), catalog);
  std::set<std::string> present;
  for (const published::PublishedView& view : views)
    present.insert(view.schema + "." + view.name);
  std::set<std::string> with_data;
  for (const published::PublishedView& view : views)
    with_data.insert(view.table_id);
  for (const catalog::TableConfig& table : catalog.tables) {
    if (!with_data.count(table.id)) report.missing.push_back(table.id);
  }

  try {
    duck::DatabaseOptions options;
    options.path = layout.database().string();
    duck::Database database(options);
    duck::Connection connection(database);
    connection.execute("BEGIN TRANSACTION");
    for (const auto& row :
         connection
             .query("SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal AND "
                    "database_name = current_database() AND starts_with(comment, " +
                    quote_literal(kManagedComment) + ")")
             .fetch_all()) {
      std::string schema = row[0].text(), name = row[1].text();
      if (present.count(schema + "." + name)) continue;
      connection.execute("DROP VIEW IF EXISTS " + quote_identifier(schema) + "." +
                         quote_identifier(name));
      report.dropped.push_back(schema + "." + name);
    }
    // One script: hundreds of tables otherwise cost thousands of round trips.
    std::set<std::string> schemas;
    std::string script;
    for (const published::PublishedView& view : views) {
      if (schemas.insert(view.schema).second)
        script += "CREATE SCHEMA IF NOT EXISTS " + quote_identifier(view.schema) + ";\n";
      std::string qualified = quote_identifier(view.schema) + "." + quote_identifier(view.name);
      script += "CREATE OR REPLACE VIEW " + qualified + " AS " + view.relation + ";\n";
      script += "COMMENT ON VIEW " + qualified + " IS " +
                quote_literal(kManagedComment + view.table_id) + ";\n";
    }
    if (!script.empty()) connection.execute(script);
    std::map<fs::path, int64_t> rows;
    if (counts == RowCounts::kRead) rows = parquet_rows(connection, views);
    for (const published::PublishedView& view : views) {
      if (view.schema == "main") continue;
      auto counted = rows.find(view.location);
      report.views.push_back({view.schema, view.name, view.table_id,
                              counted == rows.end() ? -1 : counted->second});
    }
    connection.execute("COMMIT");
  } catch (const duck::DuckError& e) {
    std::string message = e.what();
    throw Error(ErrorKind::kData, "cannot update " + layout.database().string() + ": " +
                                      message.substr(0, message.find('\n')));
  }
  return report;
}

}  // namespace da::workspace
