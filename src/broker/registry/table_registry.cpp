#include "da/registry/table_registry.hpp"

#include <algorithm>

#include "da/catalog/data_description_writer.hpp"
#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/common/time.hpp"
#include "da/config/yaml_node.hpp"

namespace da::registry {

namespace fs = std::filesystem;

const RegisteredTable* RegistrySnapshot::find(std::string_view table_id) const {
  for (const RegisteredTable& entry : tables) {
    if (entry.table.id == table_id) return &entry;
  }
  return nullptr;
}

catalog::DataDescription RegistrySnapshot::description() const {
  catalog::DataDescription description;
  for (const RegisteredTable& entry : tables)
    description.tables.push_back(entry.table);
  description.folder_mapping = folder_mapping;
  return description;
}

namespace {

catalog::TableConfig parse_definition(const std::string& yaml, const std::string& source) {
  config::Diagnostics diagnostics;
  catalog::TableConfig table = catalog::parse_table_yaml(yaml, source, diagnostics);
  diagnostics.throw_if_errors("invalid table definition");
  return table;
}

RegistrySnapshot read_snapshot(store::SqliteDatabase& database) {
  RegistrySnapshot snapshot;
  store::SqliteStatement meta =
      database.prepare("SELECT version, migrated_from FROM registry_meta WHERE id = 1");
  if (meta.step()) {
    snapshot.version = meta.column_int(0);
    snapshot.migrated_from = meta.column_optional_text(1);
  }
  store::SqliteStatement tables = database.prepare(
      "SELECT definition, registered_at, registered_by, updated_at, updated_by, table_id FROM "
      "registry_tables "
      "ORDER BY position");
  while (tables.step()) {
    RegisteredTable entry;
    entry.definition = tables.column_text(0);
    entry.table = parse_definition(entry.definition, "registry:" + tables.column_text(5));
    entry.registered_at = tables.column_text(1);
    entry.registered_by = tables.column_text(2);
    entry.updated_at = tables.column_optional_text(3);
    entry.updated_by = tables.column_optional_text(4);
    snapshot.tables.push_back(std::move(entry));
  }
  store::SqliteStatement folders =
      database.prepare("SELECT bucket, folder FROM registry_folder_mapping");
  while (folders.step())
    snapshot.folder_mapping[folders.column_text(0)] = folders.column_text(1);
  return snapshot;
}

// Every rule of a hand-written catalog applies to the registry's tables as a whole too
// (ids unique, names unique per folder, ...).
void validate(const RegistrySnapshot& snapshot) {
  std::vector<catalog::TableConfig> tables;
  for (const RegisteredTable& entry : snapshot.tables)
    tables.push_back(entry.table);
  std::string text =
      "```yaml\n" + catalog::render_catalog_yaml(tables, snapshot.folder_mapping) + "```\n";
  catalog::DataDescriptionLoad load = catalog::parse_data_description({{"registry", text}});
  config::Diagnostics errors;
  for (const auto& problem : load.diagnostics.errors()) {
    if (tables.empty() && problem.message.find("declares no tables") != std::string::npos) continue;
    errors.add(problem);
  }
  errors.throw_if_errors("the change would make the table catalog invalid");
}

void persist(store::SqliteDatabase& database, const RegistrySnapshot& snapshot) {
  database.execute("DELETE FROM registry_tables; DELETE FROM registry_folder_mapping");
  int position = 0;
  for (const RegisteredTable& entry : snapshot.tables) {
    database
        .prepare(
            "INSERT INTO registry_tables (table_id, position, definition, registered_at, "
            "registered_by, "
            "updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind_all(entry.table.id, position++, entry.definition, entry.registered_at,
                  entry.registered_by, entry.updated_at, entry.updated_by)
        .run();
  }
  for (const auto& [bucket, folder] : snapshot.folder_mapping) {
    database.prepare("INSERT INTO registry_folder_mapping (bucket, folder) VALUES (?, ?)")
        .bind_all(bucket, folder)
        .run();
  }
}

RegisteredTable& find_or_throw(RegistrySnapshot& snapshot, const std::string& table_id) {
  for (RegisteredTable& entry : snapshot.tables) {
    if (entry.table.id == table_id) return entry;
  }
  throw Error(ErrorKind::kNotFound, "table '" + table_id + "' is not registered");
}

// `node` (a mapping) with `change` applied: the field set to the parsed value, or removed.
void apply_change(config::YamlNode& node, const FieldChange& change) {
  if (change.field == "id") {
    throw Error(ErrorKind::kConfig,
                "a table's id cannot change: unregister it and register the new one");
  }
  for (size_t i = 0; i < node.entries.size(); ++i) {
    if (node.entries[i].first != change.field) continue;
    node.entries.erase(node.entries.begin() + static_cast<std::ptrdiff_t>(i));
    node.key_lines.erase(node.key_lines.begin() + static_cast<std::ptrdiff_t>(i));
    break;
  }
  if (!change.yaml_value) return;
  config::YamlNode value = config::parse_yaml(*change.yaml_value, "--set " + change.field);
  node.entries.emplace_back(change.field, std::move(value));
  node.key_lines.push_back(0);
}

}  // namespace

RegistrySnapshot TableRegistry::snapshot() {
  return read_snapshot(database_);
}

template <typename Change>
int64_t TableRegistry::change(const std::string& actor, std::optional<int64_t> expected_version,
                              Change&& apply) {
  return database_.write_transaction([&] {
    RegistrySnapshot snapshot = read_snapshot(database_);
    if (expected_version && *expected_version != snapshot.version) {
      throw Error(ErrorKind::kConflict,
                  "version conflict: expected " + std::to_string(*expected_version) + ", current " +
                      std::to_string(snapshot.version) +
                      " (someone else changed the registry; reload and try again)");
    }
    std::vector<AuditEntry> entries;
    apply(snapshot, entries);
    validate(snapshot);
    persist(database_, snapshot);
    int64_t version = snapshot.version + 1;
    std::string now = format_iso8601(now_utc());
    database_
        .prepare(
            "UPDATE registry_meta SET version = ?, migrated_from = ?, updated_at = ? WHERE id = 1")
        .bind_all(version, snapshot.migrated_from, now)
        .run();
    for (const AuditEntry& entry : entries) {
      database_
          .prepare(
              "INSERT INTO registry_audit (at, actor, action, table_id, before, after, version) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)")
          .bind_all(now, actor, entry.action, entry.table_id, entry.before, entry.after, version)
          .run();
    }
    return version;
  });
}

int64_t TableRegistry::register_table(std::string_view yaml, const std::string& source,
                                      const std::string& actor,
                                      std::optional<int64_t> expected_version) {
  catalog::TableConfig table = parse_definition(std::string(yaml), source);
  return change(
      actor, expected_version, [&](RegistrySnapshot& snapshot, std::vector<AuditEntry>& audit) {
        if (snapshot.find(table.id))
          throw Error(ErrorKind::kConflict, "table '" + table.id + "' is already registered");
        RegisteredTable entry{
            table, catalog::render_table_yaml(table), format_iso8601(now_utc()), actor, {}, {}};
        audit.push_back({0, "", "", "register", table.id, std::nullopt, entry.definition, 0});
        snapshot.tables.push_back(std::move(entry));
      });
}

int64_t TableRegistry::update_table(const std::string& table_id,
                                    const std::vector<FieldChange>& changes,
                                    const std::string& actor,
                                    std::optional<int64_t> expected_version) {
  if (changes.empty())
    throw Error(ErrorKind::kConfig, "nothing to change (give --set FIELD=VALUE or --unset FIELD)");
  return change(
      actor, expected_version, [&](RegistrySnapshot& snapshot, std::vector<AuditEntry>& audit) {
        RegisteredTable& entry = find_or_throw(snapshot, table_id);
        config::YamlNode node = config::parse_yaml(entry.definition, "registry:" + table_id);
        for (const FieldChange& field : changes)
          apply_change(node, field);
        config::Diagnostics diagnostics;
        catalog::TableConfig updated =
            catalog::read_table_node(node, "update of " + table_id, diagnostics);
        diagnostics.throw_if_errors("invalid update of table '" + table_id + "'");
        std::string before = entry.definition;
        entry.table = updated;
        entry.definition = catalog::render_table_yaml(updated);
        entry.updated_at = format_iso8601(now_utc());
        entry.updated_by = actor;
        audit.push_back({0, "", "", "update", table_id, before, entry.definition, 0});
      });
}

int64_t TableRegistry::unregister_table(const std::string& table_id, const std::string& actor,
                                        std::optional<int64_t> expected_version) {
  return change(
      actor, expected_version, [&](RegistrySnapshot& snapshot, std::vector<AuditEntry>& audit) {
        RegisteredTable& entry = find_or_throw(snapshot, table_id);
        audit.push_back({0, "", "", "unregister", table_id, entry.definition, std::nullopt, 0});
        snapshot.tables.erase(snapshot.tables.begin() + (&entry - snapshot.tables.data()));
      });
}

int64_t TableRegistry::map_folder(const std::string& bucket, const std::string& folder,
                                  const std::string& actor,
                                  std::optional<int64_t> expected_version) {
  return change(
      actor, expected_version, [&](RegistrySnapshot& snapshot, std::vector<AuditEntry>& audit) {
        auto found = snapshot.folder_mapping.find(bucket);
        std::optional<std::string> before;
        if (found != snapshot.folder_mapping.end()) before = bucket + ": " + found->second;
        snapshot.folder_mapping[bucket] = folder;
        audit.push_back({0, "", "", "map_folder", bucket, before, bucket + ": " + folder, 0});
      });
}

int64_t TableRegistry::unmap_folder(const std::string& bucket, const std::string& actor,
                                    std::optional<int64_t> expected_version) {
  return change(
      actor, expected_version, [&](RegistrySnapshot& snapshot, std::vector<AuditEntry>& audit) {
        auto found = snapshot.folder_mapping.find(bucket);
        if (found == snapshot.folder_mapping.end()) {
          throw Error(ErrorKind::kNotFound, "bucket '" + bucket + "' has no folder mapping");
        }
        audit.push_back(
            {0, "", "", "unmap_folder", bucket, bucket + ": " + found->second, std::nullopt, 0});
        snapshot.folder_mapping.erase(found);
      });
}

int64_t TableRegistry::import(const catalog::DataDescription& description,
                              const std::string& source, const std::string& actor, bool replace) {
  return change(
      actor, std::nullopt, [&](RegistrySnapshot& snapshot, std::vector<AuditEntry>& audit) {
        if (!snapshot.tables.empty() && !replace) {
          throw Error(ErrorKind::kConflict, "the registry already has " +
                                                std::to_string(snapshot.tables.size()) +
                                                " table(s); import --replace replaces them");
        }
        std::string now = format_iso8601(now_utc());
        snapshot.tables.clear();
        for (const catalog::TableConfig& table : description.tables) {
          snapshot.tables.push_back({table, catalog::render_table_yaml(table), now, actor, {}, {}});
        }
        snapshot.folder_mapping = description.folder_mapping;
        snapshot.migrated_from = source;
        audit.push_back({0, "", "", "import", std::nullopt, std::nullopt,
                         source + ": " + std::to_string(description.tables.size()) + " table(s)",
                         0});
      });
}

std::vector<AuditEntry> TableRegistry::audit(const std::optional<std::string>& table_id,
                                             int limit) {
  std::string sql =
      "SELECT id, at, actor, action, table_id, before, after, version FROM registry_audit";
  if (table_id) sql += " WHERE table_id = ?";
  sql += " ORDER BY id DESC LIMIT ?";
  store::SqliteStatement statement = database_.prepare(sql);
  int index = 1;
  if (table_id) statement.bind(index++, *table_id);
  statement.bind(index, limit);
  std::vector<AuditEntry> entries;
  while (statement.step()) {
    entries.push_back({statement.column_int(0), statement.column_text(1), statement.column_text(2),
                       statement.column_text(3), statement.column_optional_text(4),
                       statement.column_optional_text(5), statement.column_optional_text(6),
                       statement.column_int(7)});
  }
  return entries;
}

void write_data_description(const RegistrySnapshot& snapshot, const fs::path& docs_dir) {
  std::vector<catalog::TableConfig> tables;
  for (const RegisteredTable& entry : snapshot.tables)
    tables.push_back(entry.table);
  catalog::GeneratedHeader header{"table registry", snapshot.version, format_iso8601(now_utc())};
  fs::create_directories(docs_dir);
  write_file_atomically(docs_dir / "data_description.md",
                        catalog::render_data_description(tables, snapshot.folder_mapping, header),
                        0644);
}

}  // namespace da::registry
