// The result of a query, read in chunks of up to 2048 rows.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "da/duck/value.hpp"

namespace da::duck {

struct ResultColumns;

class DataChunk {
 public:
  size_t size() const { return rows_; }
  size_t column_count() const;
  bool is_null(size_t column, size_t row) const;
  // Throws Error(kData) for nested types (LIST, STRUCT, MAP, ...): cast those to VARCHAR in SQL.
  Value value(size_t column, size_t row) const;

  ~DataChunk();
  DataChunk(DataChunk&& other) noexcept;
  DataChunk& operator=(DataChunk&&) = delete;
  DataChunk(const DataChunk&) = delete;

 private:
  friend class Result;
  DataChunk(void* chunk, std::shared_ptr<const ResultColumns> columns);
  void* chunk_;
  size_t rows_;
  std::shared_ptr<const ResultColumns> columns_;
};

class Result {
 public:
  size_t column_count() const;
  const std::string& column_name(size_t column) const;
  // DuckDB's type name: BIGINT, VARCHAR, DECIMAL(18,2), TIMESTAMP WITH TIME ZONE, LIST, ...
  const std::string& column_type(size_t column) const;
  // Rows inserted, updated or deleted by the statement.
  uint64_t rows_changed() const;

  // The next chunk, or nullopt when the result is exhausted. Throws DuckError if a streaming
  // result fails while producing rows.
  std::optional<DataChunk> next_chunk();
  // Every remaining row (for small results).
  std::vector<std::vector<Value>> fetch_all();
  // The first column of the first row. Throws Error(kNotFound) if there is no row.
  Value scalar();

  ~Result();
  Result(Result&&) noexcept;
  Result& operator=(Result&&) noexcept;
  Result(const Result&) = delete;

  struct Impl;  // defined in src/duck, where DuckDB's C API is visible
  explicit Result(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace da::duck
