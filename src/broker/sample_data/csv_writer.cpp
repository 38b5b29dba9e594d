#include "da/sample_data/csv_writer.hpp"

#include <charconv>
#include <cmath>

#include <fmt/core.h>

namespace da::sample_data {

double round_to(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

void CsvWriter::separate() {
  if (row_started_) data_ += ',';
  row_started_ = true;
}

CsvWriter& CsvWriter::text(std::string_view value) {
  separate();
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    data_ += value;
    return *this;
  }
  data_ += '"';
  for (char c : value) {
    if (c == '"') data_ += '"';
    data_ += c;
  }
  data_ += '"';
  return *this;
}

CsvWriter& CsvWriter::integer(int64_t value) {
  separate();
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  data_.append(buffer, end);
  return *this;
}

CsvWriter& CsvWriter::money(double value) {
  return number(value, 2);
}

CsvWriter& CsvWriter::number(double value, int decimals) {
  separate();
  fmt::format_to(std::back_inserter(data_), "{:.{}f}", round_to(value, decimals), decimals);
  return *this;
}

CsvWriter& CsvWriter::empty() {
  separate();
  return *this;
}

void CsvWriter::end_row() {
  data_ += "\r\n";
  row_started_ = false;
  ++rows_;
}

}  // namespace da::sample_data
