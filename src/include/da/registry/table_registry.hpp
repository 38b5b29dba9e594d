// The table registry: the managed list of tables and folder mappings, kept in the state store,
// from which data_description.md is generated. Every change is validated like the hand-written
// catalog (values and cross-field rules), versioned (a writer that names the version it read
// gets Error(kConflict) if another writer came first, in any process), and audited.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "da/catalog/data_description.hpp"
#include "da/store/sqlite_database.hpp"

namespace da::registry {

struct RegisteredTable {
  catalog::TableConfig table;
  std::string definition;  // the table as YAML, as stored
  std::string registered_at;
  std::string registered_by;
  std::optional<std::string> updated_at;
  std::optional<std::string> updated_by;
};

struct RegistrySnapshot {
  int64_t version = 0;  // 0: nothing was ever registered
  std::vector<RegisteredTable> tables;
  std::map<std::string, std::string> folder_mapping;
  std::optional<std::string> migrated_from;

  const RegisteredTable* find(std::string_view table_id) const;
  catalog::DataDescription description() const;
};

struct AuditEntry {
  int64_t id = 0;
  std::string at;
  std::string actor;
  std::string action;  // register, update, unregister, map_folder, unmap_folder, import
  std::optional<std::string> table_id;  // or the bucket of a folder mapping
  std::optional<std::string> before;
  std::optional<std::string> after;
  int64_t version = 0;  // the registry version the change produced
};

// One field of an update: a YAML value ("7", "[a, b]", "{...}") or, without one, removal.
struct FieldChange {
  std::string field;
  std::optional<std::string> yaml_value;
};

class TableRegistry {
 public:
  explicit TableRegistry(store::SqliteDatabase& database) : database_(database) {}

  RegistrySnapshot snapshot();

  // Each change returns the new version. `expected_version`, when given, must be the current
  // one (Error(kConflict) "version conflict: expected X, current Y" otherwise). Invalid
  // definitions are Error(kConfig) listing every problem; unknown ids Error(kNotFound).
  int64_t register_table(std::string_view yaml, const std::string& source, const std::string& actor,
                         std::optional<int64_t> expected_version = std::nullopt);
  int64_t update_table(const std::string& table_id, const std::vector<FieldChange>& changes,
                       const std::string& actor,
                       std::optional<int64_t> expected_version = std::nullopt);
  int64_t unregister_table(const std::string& table_id, const std::string& actor,
                           std::optional<int64_t> expected_version = std::nullopt);
  int64_t map_folder(const std::string& bucket, const std::string& folder, const std::string& actor,
                     std::optional<int64_t> expected_version = std::nullopt);
  int64_t unmap_folder(const std::string& bucket, const std::string& actor,
                       std::optional<int64_t> expected_version = std::nullopt);
  // Takes the tables and folder mapping of a data_description.md. Refuses a registry that has
  // tables unless `replace`.
  int64_t import(const catalog::DataDescription& description, const std::string& source,
                 const std::string& actor, bool replace);

  // Newest first; `table_id` filters on a table (or bucket).
  std::vector<AuditEntry> audit(const std::optional<std::string>& table_id, int limit);

 private:
  template <typename Change>
  int64_t change(const std::string& actor, std::optional<int64_t> expected_version, Change&& apply);
  store::SqliteDatabase& database_;
};

// Writes <docs_dir>/data_description.md for the snapshot, atomically.
void write_data_description(const RegistrySnapshot& snapshot,
                            const std::filesystem::path& docs_dir);

}  // namespace da::registry
