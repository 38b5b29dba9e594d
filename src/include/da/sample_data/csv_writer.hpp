// CSV text as Python's csv module writes it by default: CRLF line ends, a field quoted only when
// it holds the delimiter, a quote, CR or LF, quotes doubled. An empty field means NULL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace da::sample_data {

class CsvWriter {
 public:
  CsvWriter& text(std::string_view value);
  CsvWriter& integer(int64_t value);
  // Two decimals, always ("12.50").
  CsvWriter& money(double value);
  CsvWriter& number(double value, int decimals);
  CsvWriter& empty();
  void end_row();

  const std::string& data() const { return data_; }
  std::string take() { return std::move(data_); }
  size_t rows() const { return rows_; }

 private:
  void separate();
  std::string data_;
  bool row_started_ = false;
  size_t rows_ = 0;
};

// Rounds half away from zero to `decimals` places, as money is rounded here.
double round_to(double value, int decimals);

}  // namespace da::sample_data
