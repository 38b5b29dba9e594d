#include "table_profile.hpp"

#include <cmath>
#include <set>

#include <fmt/core.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::profiler {

namespace fs = std::filesystem;
using duck::quote_identifier;
using duck::quote_literal;
using duck::Value;
using Json = nlohmann::ordered_json;

namespace {

constexpr int kHistogramBins = 15;
constexpr int64_t kTopValueCardinality = 50;
constexpr const char* kWorkingTable = "__da_profile";

// Floats rounded to 2 decimals; NaN and infinities (and NULL) become null.
Json number(const Value& value) {
  if (value.is_null()) return nullptr;
  double number = value.as_double();
  if (!std::isfinite(number)) return nullptr;
  return std::round(number * 100) / 100;
}

Json number(double value) {
  return std::isfinite(value) ? Json(std::round(value * 100) / 100) : Json(nullptr);
}

double percent(int64_t part, int64_t whole) {
  return whole > 0
             ? std::round(static_cast<double>(part) * 10000.0 / static_cast<double>(whole)) / 100
             : 0.0;
}

// As the original printed percentages: "10.0", "55.56".
std::string percent_text(double value) {
  std::string text = fmt::format("{}", value);
  return text.find_first_of(".e") == std::string::npos ? text + ".0" : text;
}

struct Column {
  std::string name;
  std::string type;
  std::string category;
  std::string sql;         // quoted name
  int64_t non_null = 0;    // in the working set
  int64_t unique = 0;      // in the working set
  int64_t null_count = 0;  // in the whole table
  Json stats;              // numeric_stats / string_stats / date_stats / boolean_stats
  std::vector<std::string> alerts;
};

class TableProfiler {
 public:
  TableProfiler(duck::Connection& connection, const TableInput& input,
                const catalog::DataDescription& catalog, const config::ProfilerConfig& settings)
      : connection_(connection),
        input_(input),
        table_(*input.table),
        catalog_(catalog),
        settings_(settings) {}

  Json run() {
    connection_.execute("SET TimeZone = 'UTC'");
    std::vector<std::string> quoted;
    for (const fs::path& file : input_.files)
      quoted.push_back(duck::quote_path(file));
    files_sql_ = "[" + join(quoted, ", ") + "]";
    relation_ = "read_parquet(" + files_sql_ + ", union_by_name = true)";
    row_count_ = connection_.query("SELECT count(*) FROM " + relation_).scalar().as_int();
    sampled_ = row_count_ > settings_.exact_row_limit;
    std::string create = std::string("CREATE OR REPLACE TEMP TABLE ") + kWorkingTable +
                         " AS SELECT * FROM " + relation_;
    if (sampled_)
      create +=
          fmt::format(" USING SAMPLE reservoir({} ROWS) REPEATABLE (42)", settings_.sample_rows);
    connection_.execute(create);
    try {
      Json profile = build();
      connection_.execute(std::string("DROP TABLE IF EXISTS ") + kWorkingTable);
      return profile;
    } catch (...) {
      connection_.execute(std::string("DROP TABLE IF EXISTS ") + kWorkingTable);
      throw;
    }
  }

 private:
  Json build() {
    working_rows_ =
        connection_.query(std::string("SELECT count(*) FROM ") + kWorkingTable).scalar().as_int();
    for (const auto& row :
         connection_.query(std::string("DESCRIBE ") + kWorkingTable).fetch_all()) {
      Column column;
      column.name = row[0].text();
      column.type = row[1].text();
      column.category = type_category(column.type);
      column.sql = quote_identifier(column.name);
      columns_.push_back(std::move(column));
    }
    aggregate();
    null_counts();
    if (sampled_) exact_extremes_from_metadata();
    for (Column& column : columns_) {
      extras(column);
      alerts(column);
    }
    return table_json();
  }

  // One scan computing every column's counts and statistics.
  void aggregate() {
    std::vector<std::string> expressions;
    for (const Column& column : columns_) {
      const std::string& c = column.sql;
      expressions.push_back("count(" + c + ")");
      expressions.push_back("count(DISTINCT " + c + ")");
      if (column.category == "NUMERIC") {
        std::string x = "CAST(" + c + " AS DOUBLE)";
        for (const char* f : {"min", "max", "avg", "median", "stddev_samp"})
          expressions.push_back(std::string(f) + "(" + x + ")");
        for (const char* q : {"0.05", "0.25", "0.75", "0.95"})
          expressions.push_back("quantile_cont(" + x + ", " + q + ")");
        expressions.push_back("count(*) FILTER (WHERE " + x + " = 0)");
        expressions.push_back("count(*) FILTER (WHERE " + x + " < 0)");
      } else if (column.category == "STRING") {
        std::string length = "length(CAST(" + c + " AS VARCHAR))";
        expressions.push_back("min(" + length + ")");
        expressions.push_back("max(" + length + ")");
        expressions.push_back("avg(" + length + ")");
      } else if (column.category == "DATE" || column.category == "TIMESTAMP") {
        expressions.push_back("CAST(CAST(min(" + c + ") AS DATE) AS VARCHAR)");
        expressions.push_back("CAST(CAST(max(" + c + ") AS DATE) AS VARCHAR)");
      } else if (column.category == "BOOLEAN") {
        expressions.push_back("count(*) FILTER (WHERE " + c + ")");
        expressions.push_back("count(*) FILTER (WHERE NOT " + c + ")");
      }
    }
    auto row = connection_.query("SELECT " + join(expressions, ", ") + " FROM " + kWorkingTable)
                   .fetch_all()
                   .at(0);
    size_t i = 0;
    for (Column& column : columns_) {
      column.non_null = row[i++].as_int();
      column.unique = row[i++].as_int();
      if (column.category == "NUMERIC") {
        Json stats;
        for (const char* key :
             {"min", "max", "mean", "median", "stddev", "p5", "p25", "p75", "p95"})
          stats[key] = number(row[i++]);
        int64_t zeros = row[i++].as_int();
        int64_t negative = row[i++].as_int();
        stats["zeros"] = zeros;
        stats["zeros_pct"] = percent(zeros, column.non_null);
        stats["negative"] = negative;
        stats["negative_pct"] = percent(negative, column.non_null);
        column.stats = std::move(stats);
      } else if (column.category == "STRING") {
        column.stats = {
            {"min_length", row[i].is_null() ? Json(nullptr) : Json(row[i].as_int())},
            {"max_length", row[i + 1].is_null() ? Json(nullptr) : Json(row[i + 1].as_int())},
            {"avg_length", number(row[i + 2])}};
        i += 3;
      } else if (column.category == "DATE" || column.category == "TIMESTAMP") {
        set_date_range(column, row[i], row[i + 1]);
        i += 2;
      } else if (column.category == "BOOLEAN") {
        int64_t yes = row[i++].as_int();
        int64_t no = row[i++].as_int();
        column.stats = {
            {"true_count", yes}, {"false_count", no}, {"true_pct", percent(yes, yes + no)}};
      }
    }
  }

  void set_date_range(Column& column, const Value& earliest, const Value& latest) {
    Json span = nullptr;
    if (!earliest.is_null() && !latest.is_null()) {
      duck::PreparedStatement days =
          connection_.prepare("SELECT date_diff('day', CAST($1 AS DATE), CAST($2 AS DATE))");
      days.bind_all(earliest.text(), latest.text());
      span = days.execute().scalar().as_int();
    }
    Json histogram = column.stats.is_object() && column.stats.contains("histogram")
                         ? column.stats["histogram"]
                         : Json();
    column.stats = {{"earliest", earliest.is_null() ? Json(nullptr) : Json(earliest.text())},
                    {"latest", latest.is_null() ? Json(nullptr) : Json(latest.text())},
                    {"span_days", span}};
    if (!histogram.is_null()) column.stats["histogram"] = histogram;
  }

  // Null counts of the whole table: from the Parquet metadata when every file has the column
  // (exact), else from the working set.
  void null_counts() {
    std::map<std::string, std::pair<int64_t, int64_t>>
        metadata;  // column -> (nulls, files with stats)
    auto rows =
        connection_
            .query(
                "SELECT path_in_schema, sum(stats_null_count), count(DISTINCT file_name) FILTER "
                "(WHERE stats_null_count IS NOT NULL) FROM parquet_metadata(" +
                files_sql_ + ") GROUP BY 1")
            .fetch_all();
    for (const auto& row : rows) {
      if (!row[1].is_null()) metadata[row[0].text()] = {row[1].as_int(), row[2].as_int()};
    }
    for (Column& column : columns_) {
      auto found = metadata.find(column.name);
      bool exact = found != metadata.end() &&
                   found->second.second == static_cast<int64_t>(input_.files.size());
      if (exact) {
        column.null_count = found->second.first;
      } else if (!sampled_) {
        column.null_count = working_rows_ - column.non_null;
      } else {
        column.null_count =
            working_rows_ > 0
                ? static_cast<int64_t>(std::llround(
                      static_cast<double>(working_rows_ - column.non_null) *
                      static_cast<double>(row_count_) / static_cast<double>(working_rows_)))
                : 0;
      }
    }
  }

  // A sample may miss the extremes; the Parquet statistics have them when they are exact.
  void exact_extremes_from_metadata() {
    for (Column& column : columns_) {
      bool numeric = column.category == "NUMERIC";
      bool temporal = column.category == "DATE" || column.category == "TIMESTAMP";
      if (!numeric && !temporal) continue;
      std::string cast_type = numeric ? "DOUBLE" : column.type;
      duck::PreparedStatement statement =
          connection_.prepare("SELECT min(TRY_CAST(stats_min_value AS " + cast_type +
                              ")), max(TRY_CAST(stats_max_value AS " + cast_type +
                              ")), bool_and(coalesce(min_is_exact, true) AND "
                              "coalesce(max_is_exact, true)), count(*) FILTER (WHERE "
                              "stats_min_value IS NULL) FROM parquet_metadata(" +
                              files_sql_ + ") WHERE path_in_schema = $1");
      statement.bind(1, Value(column.name));
      auto row = statement.execute().fetch_all().at(0);
      if (row[0].is_null() || row[1].is_null() || row[2].is_null() || !row[2].as_bool() ||
          row[3].as_int() > 0)
        continue;
      if (numeric) {
        column.stats["min"] = number(row[0]);
        column.stats["max"] = number(row[1]);
      } else {
        duck::PreparedStatement dates = connection_.prepare(
            "SELECT CAST(CAST($1 AS " + column.type + ") AS DATE)::VARCHAR, CAST(CAST($2 AS " +
            column.type + ") AS DATE)::VARCHAR");
        dates.bind_all(row[0].to_string(), row[1].to_string());
        auto extremes = dates.execute().fetch_all().at(0);
        set_date_range(column, extremes[0], extremes[1]);
      }
    }
  }

  void extras(Column& column) {
    std::string from =
        std::string(" FROM ") + kWorkingTable + " WHERE " + column.sql + " IS NOT NULL";
    Json samples = Json::array();
    for (const auto& row : connection_
                               .query("SELECT CAST(v AS VARCHAR) FROM (SELECT DISTINCT " +
                                      column.sql + " AS v" + from + " ORDER BY v LIMIT 5)")
                               .fetch_all()) {
      samples.push_back(row[0].text());
    }
    column_samples_[column.name] = samples;
    if (column.category == "NUMERIC") numeric_histogram(column, from);
    if (column.category == "DATE" || column.category == "TIMESTAMP") {
      Json bins = Json::array();
      Json counts = Json::array();
      for (const auto& row :
           connection_
               .query("SELECT CAST(year(" + column.sql + ") AS VARCHAR) || '-Q' || CAST(quarter(" +
                      column.sql + ") AS VARCHAR) AS q, count(*)" + from + " GROUP BY 1 ORDER BY 1")
               .fetch_all()) {
        bins.push_back(row[0].text());
        counts.push_back(row[1].as_int());
      }
      column.stats["histogram"] = {{"bins", bins}, {"counts", counts}};
    }
    if (column.category == "STRING" && column.unique <= kTopValueCardinality &&
        column.non_null > 0) {
      Json top = Json::array();
      for (const auto& row :
           connection_
               .query("SELECT CAST(" + column.sql + " AS VARCHAR) AS v, count(*) AS n" + from +
                      " GROUP BY 1 ORDER BY n DESC, v LIMIT 10")
               .fetch_all()) {
        top.push_back({{"value", row[0].text()},
                       {"count", row[1].as_int()},
                       {"pct", percent(row[1].as_int(), column.non_null)}});
      }
      column.stats["top_values"] = top;
    }
  }

  void numeric_histogram(Column& column, const std::string& from) {
    const Json& min = column.stats["min"];
    const Json& max = column.stats["max"];
    if (min.is_null() || max.is_null() || min.get<double>() >= max.get<double>()) return;
    double low = min.get<double>();
    double width = (max.get<double>() - low) / kHistogramBins;
    duck::PreparedStatement statement = connection_.prepare(
        "SELECT least(greatest(CAST(floor((CAST(" + column.sql +
        " AS DOUBLE) - $1) / $2) AS BIGINT), 0), " + std::to_string(kHistogramBins - 1) +
        ") AS bin, count(*)" + from + " GROUP BY 1");
    statement.bind_all(low, width);
    std::vector<int64_t> counts(kHistogramBins, 0);
    for (const auto& row : statement.execute().fetch_all())
      counts[static_cast<size_t>(row[0].as_int())] = row[1].as_int();
    Json bins = Json::array();
    for (int i = 0; i < kHistogramBins; ++i) {
      bins.push_back(format_bin_edge(low + i * width) + "-" +
                     format_bin_edge(low + (i + 1) * width));
    }
    column.stats["histogram"] = {{"bins", bins}, {"counts", counts}};
  }

  void alerts(Column& column) {
    double missing = percent(column.null_count, row_count_);
    double unique_pct = percent(column.unique, column.non_null);
    if (column.unique == 1 && column.null_count == 0) column.alerts.push_back("constant");
    if (column.non_null > 0 && column.null_count == 0 && unique_pct == 100 && column.unique > 1)
      column.alerts.push_back("unique");
    if (missing > 30) {
      column.alerts.push_back("high_missing");
    } else if (missing > 5) {
      column.alerts.push_back("missing");
    }
    if (column.category == "NUMERIC" && column.stats.contains("zeros_pct") &&
        column.stats["zeros_pct"].get<double>() > 50) {
      column.alerts.push_back("zeros");
    }
    if (column.category == "STRING" && column.stats.contains("top_values") &&
        !column.stats["top_values"].empty() &&
        column.stats["top_values"][0]["pct"].get<double>() > 60 && column.unique > 1) {
      column.alerts.push_back("imbalance");
    }
    if (column.category == "STRING" && column.unique > kTopValueCardinality)
      column.alerts.push_back("high_cardinality");
  }

  std::string alert_message(const Column& column, const std::string& alert) const {
    if (alert == "constant") return column.name + " is constant (single value)";
    if (alert == "unique") return column.name + " has all unique values";
    if (alert == "high_missing" || alert == "missing") {
      return fmt::format("{} has {}% missing values", column.name,
                         percent_text(percent(column.null_count, row_count_)));
    }
    if (alert == "imbalance") {
      return fmt::format("{} is highly imbalanced (top value {}%)", column.name,
                         percent_text(column.stats["top_values"][0]["pct"].get<double>()));
    }
    if (alert == "zeros") {
      return fmt::format("{} has {}% zero values", column.name,
                         percent_text(column.stats["zeros_pct"].get<double>()));
    }
    return fmt::format("{} has high cardinality ({} distinct)", column.name, column.unique);
  }

  int64_t duplicate_rows() {
    if (table_.primary_key.empty()) return 0;
    std::vector<std::string> key;
    for (const std::string& name : table_.primary_key) {
      bool present = std::any_of(columns_.begin(), columns_.end(),
                                 [&](const Column& c) { return c.name == name; });
      if (!present) return 0;
      key.push_back(quote_identifier(name));
    }
    int64_t distinct = connection_
                           .query("SELECT count(*) FROM (SELECT DISTINCT " + join(key, ", ") +
                                  " FROM " + kWorkingTable + ")")
                           .scalar()
                           .as_int();
    return working_rows_ - distinct;
  }

  Json sample_rows() {
    std::vector<std::string> casts;
    for (const Column& column : columns_)
      casts.push_back("CAST(" + column.sql + " AS VARCHAR)");
    Json rows = Json::array();
    if (casts.empty()) return rows;
    for (const auto& values :
         connection_.query("SELECT " + join(casts, ", ") + " FROM " + kWorkingTable + " LIMIT 5")
             .fetch_all()) {
      Json row = Json::object();
      for (size_t i = 0; i < columns_.size(); ++i) {
        row[columns_[i].name] = values[i].is_null() ? Json(nullptr) : Json(values[i].text());
      }
      rows.push_back(row);
    }
    return rows;
  }

  Json related_tables() const {
    Json related = Json::array();
    for (const catalog::ForeignKey& key : table_.foreign_keys) {
      size_t dot = key.references.find('.');
      std::string other = key.references.substr(0, dot);
      related.push_back(
          {{"table", other},
           {"join_column", key.column},
           {"foreign_column", dot == std::string::npos ? "" : key.references.substr(dot + 1)},
           {"direction", "belongs_to"},
           {"description", key.description.empty() ? "References " + other : key.description}});
    }
    for (const catalog::TableConfig& other : catalog_.tables) {
      if (other.id == table_.id) continue;
      for (const catalog::ForeignKey& key : other.foreign_keys) {
        size_t dot = key.references.find('.');
        if (key.references.substr(0, dot) != table_.name) continue;
        related.push_back(
            {{"table", other.name},
             {"join_column", dot == std::string::npos ? "" : key.references.substr(dot + 1)},
             {"foreign_column", key.column},
             {"direction", "has_many"},
             {"description",
              key.description.empty() ? "Referenced by " + other.name : key.description}});
      }
    }
    return related;
  }

  Json table_json() {
    Json columns = Json::array();
    Json alerts = Json::array();
    std::map<std::string, int> variable_types;
    int64_t missing_cells = 0;
    double completeness_sum = 0;
    Json date_range = nullptr;
    for (const Column& column : columns_) {
      double completeness = row_count_ > 0 ? 100 - percent(column.null_count, row_count_) : 100.0;
      completeness_sum += completeness;
      missing_cells += column.null_count;
      ++variable_types[column.category];
      bool primary = std::find(table_.primary_key.begin(), table_.primary_key.end(), column.name) !=
                     table_.primary_key.end();
      Json item = {{"name", column.name},
                   {"type", column.type},
                   {"type_category", column.category},
                   {"completeness_pct", number(completeness)},
                   {"null_count", column.null_count},
                   {"unique_count", column.unique},
                   {"unique_pct", percent(column.unique, column.non_null)},
                   {"sample_values", column_samples_[column.name]},
                   {"is_primary_key", primary},
                   {"alerts", column.alerts}};
      const char* stats_key = column.category == "NUMERIC"   ? "numeric_stats"
                              : column.category == "STRING"  ? "string_stats"
                              : column.category == "BOOLEAN" ? "boolean_stats"
                                                             : "date_stats";
      if (!column.stats.is_null()) item[stats_key] = column.stats;
      columns.push_back(item);
      for (const std::string& alert : column.alerts) {
        alerts.push_back(
            {{"column", column.name}, {"type", alert}, {"message", alert_message(column, alert)}});
      }
      bool temporal = column.category == "DATE" || column.category == "TIMESTAMP";
      if (date_range.is_null() && temporal && !column.stats["earliest"].is_null()) {
        date_range = {{"earliest", column.stats["earliest"]},
                      {"latest", column.stats["latest"]},
                      {"span_days", column.stats["span_days"]}};
      }
    }
    int64_t file_bytes = 0;
    for (const fs::path& file : input_.files)
      file_bytes += static_cast<int64_t>(fs::file_size(file));
    if (input_.state && input_.state->file_size_bytes > 0)
      file_bytes = input_.state->file_size_bytes;
    Json metrics = Json::array();
    for (const MetricUse& use : input_.metrics)
      metrics.push_back({{"name", use.name}, {"file", use.file}});
    size_t column_count = columns_.size();
    return {{"table_id", table_.id},
            {"folder", catalog_.folder_of(table_)},
            {"description", table_.description},
            {"primary_key", join(table_.primary_key, ", ")},
            {"sync_strategy", catalog::to_string(table_.strategy)},
            {"row_count", row_count_},
            {"column_count", column_count},
            {"file_size_mb", number(static_cast<double>(file_bytes) / 1048576.0)},
            {"avg_completeness",
             number(column_count ? completeness_sum / static_cast<double>(column_count) : 100.0)},
            {"missing_cells", missing_cells},
            {"missing_cells_pct",
             percent(missing_cells, row_count_ * static_cast<int64_t>(column_count))},
            {"duplicate_rows", duplicate_rows()},
            {"variable_types", variable_types},
            {"date_range", date_range},
            {"alerts", alerts},
            {"sampled", sampled_},
            {"sample_size", working_rows_},
            {"last_sync", input_.state && input_.state->last_sync ? Json(*input_.state->last_sync)
                                                                  : Json(nullptr)},
            {"related_tables", related_tables()},
            {"used_by_metrics", metrics},
            {"columns", columns},
            {"sample_rows", sample_rows()}};
  }

  duck::Connection& connection_;
  const TableInput& input_;
  const catalog::TableConfig& table_;
  const catalog::DataDescription& catalog_;
  const config::ProfilerConfig& settings_;
  std::string files_sql_;
  std::string relation_;
  int64_t row_count_ = 0;
  int64_t working_rows_ = 0;
  bool sampled_ = false;
  std::vector<Column> columns_;
  std::map<std::string, Json> column_samples_;
};

}  // namespace

std::string format_bin_edge(double value) {
  double magnitude = std::fabs(value);
  if (magnitude >= 1e9) return fmt::format("{:.1f}B", value / 1e9);
  if (magnitude >= 1e6) return fmt::format("{:.1f}M", value / 1e6);
  if (magnitude >= 1e3) return fmt::format("{:.1f}K", value / 1e3);
  return fmt::format("{:.2f}", value);
}

std::string type_category(const std::string& duckdb_type) {
  std::string upper = duckdb_type;
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "BOOLEAN" || upper == "BOOL") return "BOOLEAN";
  if (upper == "DATE") return "DATE";
  if (upper.find("TIMESTAMP") != std::string::npos) return "TIMESTAMP";
  std::string base = upper.substr(0, upper.find('('));
  static const std::set<std::string> kNumeric = {
      "FLOAT",   "DOUBLE",  "DECIMAL",  "REAL",      "FLOAT4",   "FLOAT8",  "NUMERIC", "HUGEINT",
      "INTEGER", "INT",     "BIGINT",   "SMALLINT",  "TINYINT",  "INT8",    "INT4",    "INT2",
      "INT1",    "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT", "UHUGEINT"};
  return kNumeric.count(base) ? "NUMERIC" : "STRING";
}

Json profile_table(duck::Connection& connection, const TableInput& input,
                   const catalog::DataDescription& catalog,
                   const config::ProfilerConfig& settings) {
  return TableProfiler(connection, input, catalog, settings).run();
}

}  // namespace da::profiler
