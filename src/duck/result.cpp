#include "da/duck/result.hpp"

#include "result_impl.hpp"
#include <fmt/core.h>

#include "da/common/error.hpp"
#include "da/duck/duck_error.hpp"

namespace da::duck {

namespace {

using int128 = __int128;
using uint128 = unsigned __int128;

std::string int128_to_string(int128 value) {
  if (value == 0) return "0";
  bool negative = value < 0;
  uint128 magnitude = negative ? -static_cast<uint128>(value) : static_cast<uint128>(value);
  std::string digits;
  while (magnitude > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  }
  if (negative) digits.insert(digits.begin(), '-');
  return digits;
}

int128 to_int128(duckdb_hugeint value) {
  return (static_cast<int128>(value.upper) << 64) | static_cast<int128>(value.lower);
}

std::string decimal_to_string(int128 unscaled, uint8_t scale) {
  if (scale == 0) return int128_to_string(unscaled);
  bool negative = unscaled < 0;
  std::string digits = int128_to_string(negative ? -unscaled : unscaled);
  if (digits.size() <= scale) digits.insert(0, scale - digits.size() + 1, '0');
  digits.insert(digits.size() - scale, ".");
  if (negative) digits.insert(digits.begin(), '-');
  return digits;
}

std::string format_date(int32_t days) {
  duckdb_date_struct date = duckdb_from_date(duckdb_date{days});
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

std::string format_time_of_day(int64_t micros) {
  duckdb_time_struct time = duckdb_from_time(duckdb_time{micros});
  std::string text = fmt::format("{:02}:{:02}:{:02}", time.hour, time.min, time.sec);
  if (time.micros != 0) {
    std::string fraction = fmt::format("{:06}", time.micros);
    while (fraction.back() == '0')
      fraction.pop_back();
    text += "." + fraction;
  }
  return text;
}

std::string format_timestamp(int64_t micros) {
  duckdb_timestamp_struct ts = duckdb_from_timestamp(duckdb_timestamp{micros});
  std::string text = fmt::format("{:04}-{:02}-{:02} ", ts.date.year, ts.date.month, ts.date.day);
  int64_t time_micros =
      ((ts.time.hour * 60LL + ts.time.min) * 60 + ts.time.sec) * 1000000 + ts.time.micros;
  return text + format_time_of_day(time_micros);
}

std::string format_uuid(duckdb_hugeint value) {
  uint64_t upper = static_cast<uint64_t>(value.upper) ^ (uint64_t{1} << 63);
  std::string hex = fmt::format("{:016x}{:016x}", upper, value.lower);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string read_string(void* data, size_t row) {
  auto* strings = static_cast<duckdb_string_t*>(data);
  duckdb_string_t& value = strings[row];
  return std::string(duckdb_string_t_data(&value), duckdb_string_t_length(value));
}

int128 read_stored_integer(void* data, size_t row, duckdb_type storage) {
  switch (storage) {
    case DUCKDB_TYPE_SMALLINT:
      return static_cast<int16_t*>(data)[row];
    case DUCKDB_TYPE_INTEGER:
      return static_cast<int32_t*>(data)[row];
    case DUCKDB_TYPE_BIGINT:
      return static_cast<int64_t*>(data)[row];
    case DUCKDB_TYPE_HUGEINT:
      return to_int128(static_cast<duckdb_hugeint*>(data)[row]);
    case DUCKDB_TYPE_UTINYINT:
      return static_cast<uint8_t*>(data)[row];
    case DUCKDB_TYPE_USMALLINT:
      return static_cast<uint16_t*>(data)[row];
    case DUCKDB_TYPE_UINTEGER:
      return static_cast<uint32_t*>(data)[row];
    default:
      throw Error(ErrorKind::kInternal, "unexpected DuckDB storage type");
  }
}

Value read_value(const ColumnInfo& column, void* data, size_t row) {
  switch (column.type) {
    case DUCKDB_TYPE_BOOLEAN:
      return static_cast<bool*>(data)[row];
    case DUCKDB_TYPE_TINYINT:
      return static_cast<int64_t>(static_cast<int8_t*>(data)[row]);
    case DUCKDB_TYPE_SMALLINT:
      return static_cast<int64_t>(static_cast<int16_t*>(data)[row]);
    case DUCKDB_TYPE_INTEGER:
      return static_cast<int64_t>(static_cast<int32_t*>(data)[row]);
    case DUCKDB_TYPE_BIGINT:
      return static_cast<int64_t*>(data)[row];
    case DUCKDB_TYPE_UTINYINT:
      return static_cast<int64_t>(static_cast<uint8_t*>(data)[row]);
    case DUCKDB_TYPE_USMALLINT:
      return static_cast<int64_t>(static_cast<uint16_t*>(data)[row]);
    case DUCKDB_TYPE_UINTEGER:
      return static_cast<int64_t>(static_cast<uint32_t*>(data)[row]);
    case DUCKDB_TYPE_UBIGINT:
      return static_cast<uint64_t*>(data)[row];
    case DUCKDB_TYPE_FLOAT:
      return static_cast<double>(static_cast<float*>(data)[row]);
    case DUCKDB_TYPE_DOUBLE:
      return static_cast<double*>(data)[row];
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB:
      return read_string(data, row);
    case DUCKDB_TYPE_HUGEINT:
      return int128_to_string(to_int128(static_cast<duckdb_hugeint*>(data)[row]));
    case DUCKDB_TYPE_UHUGEINT: {
      auto value = static_cast<duckdb_uhugeint*>(data)[row];
      uint128 full = (static_cast<uint128>(value.upper) << 64) | value.lower;
      std::string digits;
      do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(full % 10)));
        full /= 10;
      } while (full > 0);
      return digits;
    }
    case DUCKDB_TYPE_DECIMAL:
      return decimal_to_string(read_stored_integer(data, row, column.internal_type),
                               column.decimal_scale);
    case DUCKDB_TYPE_DATE:
      return format_date(static_cast<duckdb_date*>(data)[row].days);
    case DUCKDB_TYPE_TIME:
      return format_time_of_day(static_cast<duckdb_time*>(data)[row].micros);
    case DUCKDB_TYPE_TIMESTAMP:
      return format_timestamp(static_cast<int64_t*>(data)[row]);
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return format_timestamp(static_cast<int64_t*>(data)[row]) + "+00";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return format_timestamp(static_cast<int64_t*>(data)[row] * 1000000);
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return format_timestamp(static_cast<int64_t*>(data)[row] * 1000);
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return format_timestamp(static_cast<int64_t*>(data)[row] / 1000);
    case DUCKDB_TYPE_UUID:
      return format_uuid(static_cast<duckdb_hugeint*>(data)[row]);
    case DUCKDB_TYPE_INTERVAL: {
      duckdb_interval value = static_cast<duckdb_interval*>(data)[row];
      return fmt::format("{} months {} days {}", value.months, value.days,
                         format_time_of_day(value.micros));
    }
    case DUCKDB_TYPE_ENUM: {
      auto index = static_cast<size_t>(read_stored_integer(data, row, column.internal_type));
      return index < column.enum_values.size() ? column.enum_values[index] : std::string();
    }
    default:
      throw Error(ErrorKind::kData,
                  "column '" + column.name + "' has type " + column.type_name +
                      ", which cannot be read here: cast it to VARCHAR in the query");
  }
}

ResultColumns describe_columns(duckdb_result& result) {
  ResultColumns described;
  idx_t count = duckdb_column_count(&result);
  for (idx_t i = 0; i < count; ++i) {
    ColumnInfo column;
    column.name = duckdb_column_name(&result, i);
    duckdb_logical_type type = duckdb_column_logical_type(&result, i);
    column.type = duckdb_get_type_id(type);
    column.type_name = logical_type_name(type);
    if (column.type == DUCKDB_TYPE_DECIMAL) {
      column.internal_type = duckdb_decimal_internal_type(type);
      column.decimal_scale = duckdb_decimal_scale(type);
    } else if (column.type == DUCKDB_TYPE_ENUM) {
      column.internal_type = duckdb_enum_internal_type(type);
      uint32_t size = duckdb_enum_dictionary_size(type);
      for (uint32_t k = 0; k < size; ++k) {
        char* value = duckdb_enum_dictionary_value(type, k);
        column.enum_values.emplace_back(value);
        duckdb_free(value);
      }
    }
    duckdb_destroy_logical_type(&type);
    described.columns.push_back(std::move(column));
  }
  return described;
}

}  // namespace

std::string logical_type_name(duckdb_logical_type type) {
  duckdb_type id = duckdb_get_type_id(type);
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_DECIMAL:
      return fmt::format("DECIMAL({},{})", duckdb_decimal_width(type), duckdb_decimal_scale(type));
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_TIME_TZ:
      return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "TIMESTAMP_NS";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    case DUCKDB_TYPE_ENUM:
      return "ENUM";
    case DUCKDB_TYPE_LIST:
      return "LIST";
    case DUCKDB_TYPE_STRUCT:
      return "STRUCT";
    case DUCKDB_TYPE_MAP:
      return "MAP";
    case DUCKDB_TYPE_ARRAY:
      return "ARRAY";
    case DUCKDB_TYPE_UNION:
      return "UNION";
    case DUCKDB_TYPE_BIT:
      return "BIT";
    case DUCKDB_TYPE_SQLNULL:
      return "NULL";
    default:
      return "UNKNOWN";
  }
}

void throw_result_error(duckdb_result& result) {
  const char* message = duckdb_result_error(&result);
  int type = static_cast<int>(duckdb_result_error_type(&result));
  std::string text = message != nullptr ? message : "unknown DuckDB error";
  duckdb_destroy_result(&result);
  throw DuckError(type, text);
}

std::unique_ptr<Result::Impl> wrap_result(duckdb_result& result) {
  auto impl = std::make_unique<Result::Impl>();
  impl->result = result;
  impl->columns = std::make_shared<ResultColumns>(describe_columns(impl->result));
  return impl;
}

// DataChunk

DataChunk::DataChunk(void* chunk, std::shared_ptr<const ResultColumns> columns)
    : chunk_(chunk),
      rows_(duckdb_data_chunk_get_size(static_cast<duckdb_data_chunk>(chunk))),
      columns_(std::move(columns)) {}

DataChunk::DataChunk(DataChunk&& other) noexcept
    : chunk_(other.chunk_), rows_(other.rows_), columns_(std::move(other.columns_)) {
  other.chunk_ = nullptr;
}

DataChunk::~DataChunk() {
  if (chunk_ == nullptr) return;
  auto chunk = static_cast<duckdb_data_chunk>(chunk_);
  duckdb_destroy_data_chunk(&chunk);
}

size_t DataChunk::column_count() const {
  return columns_->columns.size();
}

bool DataChunk::is_null(size_t column, size_t row) const {
  duckdb_vector vector =
      duckdb_data_chunk_get_vector(static_cast<duckdb_data_chunk>(chunk_), column);
  uint64_t* validity = duckdb_vector_get_validity(vector);
  return validity != nullptr && !duckdb_validity_row_is_valid(validity, row);
}

Value DataChunk::value(size_t column, size_t row) const {
  if (column >= column_count() || row >= rows_) {
    throw Error(ErrorKind::kInternal,
                fmt::format("chunk index out of range ({}, {})", column, row));
  }
  if (is_null(column, row)) return Value();
  duckdb_vector vector =
      duckdb_data_chunk_get_vector(static_cast<duckdb_data_chunk>(chunk_), column);
  return read_value(columns_->columns[column], duckdb_vector_get_data(vector), row);
}

// Result

Result::Result(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Result::~Result() = default;
Result::Result(Result&&) noexcept = default;
Result& Result::operator=(Result&&) noexcept = default;

size_t Result::column_count() const {
  return impl_->columns->columns.size();
}

const std::string& Result::column_name(size_t column) const {
  return impl_->columns->columns.at(column).name;
}

const std::string& Result::column_type(size_t column) const {
  return impl_->columns->columns.at(column).type_name;
}

uint64_t Result::rows_changed() const {
  return duckdb_rows_changed(&impl_->result);
}

std::optional<DataChunk> Result::next_chunk() {
  duckdb_data_chunk chunk = duckdb_fetch_chunk(impl_->result);
  if (chunk == nullptr) {
    const char* error = duckdb_result_error(&impl_->result);
    if (error != nullptr) {
      throw DuckError(static_cast<int>(duckdb_result_error_type(&impl_->result)), error);
    }
    return std::nullopt;
  }
  if (duckdb_data_chunk_get_size(chunk) == 0) {
    duckdb_destroy_data_chunk(&chunk);
    return std::nullopt;
  }
  return DataChunk(chunk, impl_->columns);
}

std::vector<std::vector<Value>> Result::fetch_all() {
  std::vector<std::vector<Value>> rows;
  while (auto chunk = next_chunk()) {
    for (size_t row = 0; row < chunk->size(); ++row) {
      std::vector<Value> values;
      values.reserve(chunk->column_count());
      for (size_t column = 0; column < chunk->column_count(); ++column) {
        values.push_back(chunk->value(column, row));
      }
      rows.push_back(std::move(values));
    }
  }
  return rows;
}

Value Result::scalar() {
  auto chunk = next_chunk();
  if (!chunk || chunk->column_count() == 0) {
    throw Error(ErrorKind::kNotFound, "the query returned no rows");
  }
  return chunk->value(0, 0);
}

}  // namespace da::duck
