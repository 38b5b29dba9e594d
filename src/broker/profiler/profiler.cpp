#include "da/profiler/profiler.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "table_profile.hpp"
#include <nlohmann/json.hpp>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/time.hpp"
#include "da/duck/database.hpp"
#include "da/metrics/metric_catalog.hpp"
#include "da/published/published_files.hpp"
#include "da/published/table_location.hpp"
#include "da/store/state_store.hpp"

namespace da::profiler {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

std::map<std::string, std::vector<MetricUse>> metric_uses(const fs::path& metrics_dir) {
  std::map<std::string, std::vector<MetricUse>> uses;
  metrics::MetricLoad load = metrics::load_metrics(metrics_dir);
  for (const auto& problem : load.diagnostics.errors())
    log::warn("metrics: {}", problem.format());
  for (const metrics::Metric& metric : load.metrics) {
    if (metric.name.empty()) continue;
    for (const std::string& table : metric.all_tables())
      uses[table].push_back({metric.name, metric.file});
  }
  for (auto& [table, list] : uses) {
    std::sort(list.begin(), list.end(),
              [](const MetricUse& a, const MetricUse& b) { return a.name < b.name; });
  }
  return uses;
}

Json read_existing_profiles(const fs::path& file) {
  if (!fs::exists(file)) return Json::object();
  try {
    Json document = Json::parse(read_file(file));
    if (document.contains("tables") && document["tables"].is_object()) return document["tables"];
  } catch (const Json::exception& e) {
    log::warn("{} is unreadable ({}); it is rewritten from the tables profiled now", file.string(),
              e.what());
  }
  return Json::object();
}

}  // namespace

Profiler::Profiler(const config::InstanceConfig& config, const catalog::DataDescription& catalog)
    : config_(config), catalog_(catalog) {}

ProfileReport Profiler::run(const std::vector<std::string>& requested) {
  auto started = std::chrono::steady_clock::now();
  ProfileReport report;
  std::vector<const catalog::TableConfig*> tables;
  if (requested.empty()) {
    for (const catalog::TableConfig& table : catalog_.tables)
      tables.push_back(&table);
  } else {
    for (const std::string& wanted : requested) {
      const catalog::TableConfig* found = catalog_.find(wanted);
      for (const catalog::TableConfig& table : catalog_.tables) {
        if (!found && table.name == wanted) found = &table;
      }
      if (found) {
        tables.push_back(found);
      } else {
        report.skipped.push_back(wanted);
      }
    }
  }

  std::map<std::string, int> name_uses;
  for (const catalog::TableConfig& table : catalog_.tables)
    ++name_uses[table.name];
  auto uses = metric_uses(config_.paths.docs_dir / "metrics");
  std::optional<store::StateStore> store;
  if (fs::exists(config_.paths.state_db)) store.emplace(config_.paths.state_db);

  std::vector<TableInput> inputs;
  for (const catalog::TableConfig* table : tables) {
    if (name_uses[table->name] > 1) {
      report.errors.push_back(
          table->id + ": the table name '" + table->name +
          "' is used by another table of the catalog, and profiles.json is keyed by name; "
          "rename one of them in the table registry");
      continue;
    }
    TableInput input;
    input.table = table;
    input.files = published::published_files(
        published::table_location(config_.paths.data_dir, catalog_, *table));
    if (input.files.empty()) {
      report.skipped.push_back(table->id);
      continue;
    }
    if (store) input.state = sync::SyncStateRepository(store->database()).get(table->id);
    if (auto found = uses.find(table->name); found != uses.end()) input.metrics = found->second;
    inputs.push_back(std::move(input));
  }

  std::vector<std::optional<Json>> profiles(inputs.size());
  std::vector<std::string> failures(inputs.size());
  {
    duck::DatabaseOptions options;
    options.memory_limit = config_.sync.memory_limit;
    options.threads = config_.sync.threads;
    duck::Database database(options);
    std::atomic<size_t> next{0};
    auto worker = [&] {
      duck::Connection connection(database);
      for (size_t i = next++; i < inputs.size(); i = next++) {
        try {
          profiles[i] = profile_table(connection, inputs[i], catalog_, config_.profiler);
        } catch (const std::exception& e) {
          std::string message = e.what();
          failures[i] = inputs[i].table->id + ": " + message.substr(0, message.find('\n'));
        }
      }
    };
    size_t count =
        std::min<size_t>(static_cast<size_t>(config_.sync.parallel_tables), inputs.size());
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < count; ++i)
      threads.emplace_back(worker);
  }

  fs::path file = config_.paths.data_dir / "metadata" / "profiles.json";
  Json existing = read_existing_profiles(file);
  Json merged = Json::object();
  std::map<std::string, Json> fresh;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& name = inputs[i].table->name;
    if (profiles[i]) {
      fresh[name] = std::move(*profiles[i]);
      report.profiled.push_back(inputs[i].table->id);
    } else {
      report.errors.push_back(failures[i]);
      if (existing.contains(name)) {
        Json stale = existing[name];
        stale["_stale"] = true;
        fresh[name] = std::move(stale);
      }
    }
  }
  // Catalog order; tables not profiled now keep their profile (dropped by a full run when
  // they left the catalog).
  for (const catalog::TableConfig& table : catalog_.tables) {
    if (auto found = fresh.find(table.name); found != fresh.end()) {
      merged[table.name] = found->second;
    } else if (existing.contains(table.name)) {
      merged[table.name] = existing[table.name];
    }
  }
  if (!requested.empty()) {
    for (auto it = existing.begin(); it != existing.end(); ++it) {
      if (!merged.contains(it.key())) merged[it.key()] = it.value();
    }
  }
  Json document = {{"generated_at", format_iso8601(now_utc())},
                   {"version", "1.0"},
                   {"schema_version", 2},
                   {"tables", merged}};
  fs::create_directories(file.parent_path());
  write_file_atomically(file, document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n",
                        0644);
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace da::profiler
