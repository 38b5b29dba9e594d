// Where a CSV file breaks its own structure: a quoted value that is never closed, a row with
// more or fewer fields than the header. DuckDB's sniffer does not say: it reads such a file as
// one column, or fails with "could not detect the dialect", and its reader counts records, not
// lines. This check reads each file again with a fixed dialect (so it runs only once a read
// has failed) and names the first bad row by its line in the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "da/duck/connection.hpp"
#include "da/sync/data_source.hpp"

namespace da::sync {

// The quote character a CSV dialect reads with: the configured one (empty: no quoting), else
// '"' (RFC 4180), so that an unterminated quote is an error rather than data.
std::string csv_quote(const CsvDialect& dialect);

// "file:line: problem (and N more rows like it)" for the first file in `files` whose rows do not
// all have the header's number of fields or that holds an unterminated quote; nullopt when
// every file is well-formed (or its dialect cannot be told at all).
std::optional<std::string> find_csv_structure_problem(duck::Connection& connection,
                                                      const std::vector<SourceFile>& files,
                                                      const CsvDialect& dialect);

// The 1-based line of `file` (plain or gzip-compressed) holding the byte at the 1-based
// position `byte`, counted in the uncompressed text.
int64_t line_at_byte(const std::filesystem::path& file, int64_t byte);

}  // namespace da::sync
