#include "da/sync/csv_structure.hpp"

#include <algorithm>
#include <cerrno>
#include <memory>
#include <regex>

#include <fmt/core.h>
#include <zlib.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/duck/duck_error.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::sync {

namespace {

using duck::quote_literal;

struct FileLayout {
  std::string delimiter;
  bool header = true;
  std::vector<std::string> columns;
};

// Delimiter, header and column names as the sniffer sees them when it may skip bad rows
// (otherwise it falls back to one column for a file with ragged rows); configured values win.
std::optional<FileLayout> layout_of(duck::Connection& connection, const SourceFile& file,
                                    const CsvDialect& dialect) {
  std::string options =
      ", skip = 0, ignore_errors = true, encoding = " + quote_literal(dialect.encoding);
  if (dialect.delimiter) options += ", delim = " + quote_literal(*dialect.delimiter);
  if (dialect.header) options += std::string(", header = ") + (*dialect.header ? "true" : "false");
  FileLayout layout;
  try {
    duck::Result result =
        connection.query("SELECT Delimiter, HasHeader, unnest(Columns).name FROM sniff_csv(" +
                         duck::quote_path(file.path) + options + ")");
    for (const auto& row : result.fetch_all()) {
      layout.delimiter = row[0].text();
      layout.header = row[1].as_bool();
      layout.columns.push_back(row[2].text());
    }
  } catch (const duck::DuckError&) {
    return std::nullopt;
  }
  if (!dialect.names.empty()) layout.columns = dialect.names;
  if (layout.columns.empty()) return std::nullopt;
  return layout;
}

std::string describe_problem(const std::string& message, bool header) {
  static const std::regex fields("Expected Number of Columns: (\\d+) Found: (\\d+)");
  std::smatch match;
  if (std::regex_search(message, match, fields)) {
    std::string found = match[2].str();
    return fmt::format("the row has {} field{} where {} {}", found, found == "1" ? "" : "s",
                       header ? "the header has" : "the file's columns are", match[1].str());
  }
  if (message.find("unterminated quote") != std::string::npos)
    return "a quoted value starts on this line and is never closed (unterminated quote)";
  return std::string(trim(message));
}

// The first row of `file` that does not fit `layout`, read with a fixed dialect and every
// column as text, so that only the structure can fail.
std::optional<std::string> first_bad_row(duck::Connection& connection, const SourceFile& file,
                                         const CsvDialect& dialect, const FileLayout& layout) {
  std::string quote = csv_quote(dialect);
  std::string escape = dialect.escape.value_or(quote);
  std::vector<std::string> columns;
  for (const std::string& name : layout.columns)
    columns.push_back(quote_literal(name) + ": 'VARCHAR'");
  // The rejects tables collect every scan of the connection: each check starts them afresh.
  auto drop_rejects = [&] {
    connection.execute("DROP TABLE IF EXISTS da_csv_rejects; DROP TABLE IF EXISTS da_csv_scans");
  };
  drop_rejects();
  connection.execute("SELECT count(*) FROM read_csv(" + duck::quote_path(file.path) +
                     ", auto_detect = false, skip = 0, strict_mode = true, store_rejects = true, "
                     "rejects_table = 'da_csv_rejects', rejects_scan = 'da_csv_scans', delim = " +
                     quote_literal(layout.delimiter) + ", quote = " + quote_literal(quote) +
                     ", escape = " + quote_literal(escape) +
                     ", header = " + (layout.header ? "true" : "false") +
                     ", encoding = " + quote_literal(dialect.encoding) + ", columns = {" +
                     join(columns, ", ") + "})");
  auto rows = connection
                  .query(
                      "SELECT line_byte_position, error_message, count(*) OVER () "
                      "FROM da_csv_rejects ORDER BY byte_position LIMIT 1")
                  .fetch_all();
  drop_rejects();
  if (rows.empty()) return std::nullopt;
  int64_t more = rows[0][2].as_int() - 1;
  return fmt::format("{}:{}: {}{}", file.path.string(),
                     line_at_byte(file.path, rows[0][0].as_int()),
                     describe_problem(rows[0][1].text(), layout.header),
                     more > 0 ? fmt::format(" (and {} more row(s) like it)", more) : "");
}

}  // namespace

std::string csv_quote(const CsvDialect& dialect) {
  return dialect.quote.value_or("\"");
}

std::optional<std::string> find_csv_structure_problem(duck::Connection& connection,
                                                      const std::vector<SourceFile>& files,
                                                      const CsvDialect& dialect) {
  for (const SourceFile& file : files) {
    std::optional<FileLayout> layout = layout_of(connection, file, dialect);
    if (!layout) continue;
    try {
      if (auto problem = first_bad_row(connection, file, dialect, *layout)) return problem;
    } catch (const duck::DuckError&) {
      // A file this check cannot read at all: the reader's own error says more.
    }
  }
  return std::nullopt;
}

int64_t line_at_byte(const std::filesystem::path& file, int64_t byte) {
  std::unique_ptr<gzFile_s, decltype(&gzclose)> in(gzopen(file.c_str(), "rb"), gzclose);
  if (!in) throw_system_error("cannot read", file.string(), errno);
  int64_t line = 1;
  int64_t remaining = byte - 1;
  char buffer[1 << 16];
  while (remaining > 0) {
    int n = gzread(in.get(), buffer,
                   static_cast<unsigned>(std::min<int64_t>(remaining, sizeof buffer)));
    if (n <= 0) break;
    line += std::count(buffer, buffer + n, '\n');
    remaining -= n;
  }
  return line;
}

}  // namespace da::sync
