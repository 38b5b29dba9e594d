#include "da/cli/result_table.hpp"

#include <algorithm>
#include <vector>

#include <nlohmann/json.hpp>

namespace da::cli {

namespace {

struct Collected {
  std::vector<std::vector<duck::Value>> rows;
  size_t total = 0;
};

Collected collect(duck::Result& result, size_t limit) {
  Collected collected;
  while (auto chunk = result.next_chunk()) {
    for (size_t row = 0; row < chunk->size(); ++row, ++collected.total) {
      if (collected.rows.size() >= limit) continue;
      std::vector<duck::Value> values;
      for (size_t column = 0; column < chunk->column_count(); ++column)
        values.push_back(chunk->value(column, row));
      collected.rows.push_back(std::move(values));
    }
  }
  return collected;
}

// Display width in characters (UTF-8 continuation bytes do not count).
size_t width_of(const std::string& text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string cell(const duck::Value& value) {
  std::string text = value.to_string();
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

std::string format_csv(duck::Result& result, size_t limit) {
  Collected collected = collect(result, limit);
  auto field = [](const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) {
      if (c == '"') quoted += '"';
      quoted += c;
    }
    return quoted + "\"";
  };
  std::string text;
  for (size_t c = 0; c < result.column_count(); ++c)
    text += (c ? "," : "") + field(result.column_name(c));
  text += "\n";
  for (const auto& row : collected.rows) {
    for (size_t c = 0; c < row.size(); ++c)
      text += (c ? "," : "") + (row[c].is_null() ? std::string() : field(row[c].to_string()));
    text += "\n";
  }
  return text;
}

std::string format_text_table(duck::Result& result, size_t limit) {
  Collected collected = collect(result, limit);
  size_t columns = result.column_count();
  std::vector<size_t> widths(columns);
  for (size_t c = 0; c < columns; ++c)
    widths[c] = width_of(result.column_name(c));
  for (const auto& row : collected.rows) {
    for (size_t c = 0; c < columns; ++c)
      widths[c] = std::max(widths[c], width_of(cell(row[c])));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t c = 0; c < columns; ++c) {
      text += (c ? " | " : "") + cells[c] + std::string(widths[c] - width_of(cells[c]), ' ');
    }
    while (!text.empty() && text.back() == ' ')
      text.pop_back();
    return text + "\n";
  };
  std::vector<std::string> header;
  for (size_t c = 0; c < columns; ++c)
    header.push_back(result.column_name(c));
  std::string text = line(header);
  std::vector<std::string> rule;
  for (size_t c = 0; c < columns; ++c)
    rule.push_back(std::string(widths[c], '-'));
  text += line(rule);
  for (const auto& row : collected.rows) {
    std::vector<std::string> cells;
    for (const auto& value : row)
      cells.push_back(cell(value));
    text += line(cells);
  }
  text +=
      collected.total > collected.rows.size()
          ? "(first " + std::to_string(collected.rows.size()) + " of " +
                std::to_string(collected.total) + " rows)\n"
          : "(" + std::to_string(collected.total) + (collected.total == 1 ? " row)\n" : " rows)\n");
  return text;
}

std::string format_json(duck::Result& result, size_t limit) {
  Collected collected = collect(result, limit);
  nlohmann::ordered_json columns = nlohmann::ordered_json::array();
  for (size_t c = 0; c < result.column_count(); ++c) {
    columns.push_back({{"name", result.column_name(c)}, {"type", result.column_type(c)}});
  }
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& row : collected.rows) {
    nlohmann::ordered_json values = nlohmann::ordered_json::array();
    for (const auto& value : row) {
      switch (value.kind()) {
        case duck::Value::Kind::kNull:
          values.push_back(nullptr);
          break;
        case duck::Value::Kind::kBool:
          values.push_back(value.as_bool());
          break;
        case duck::Value::Kind::kInt:
          values.push_back(value.as_int());
          break;
        case duck::Value::Kind::kDouble:
          values.push_back(value.as_double());
          break;
        default:
          values.push_back(value.to_string());
          break;
      }
    }
    rows.push_back(values);
  }
  nlohmann::ordered_json document = {{"columns", columns},
                                     {"rows", rows},
                                     {"row_count", collected.total},
                                     {"truncated", collected.total > collected.rows.size()}};
  return document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace da::cli
