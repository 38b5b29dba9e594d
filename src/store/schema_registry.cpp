#include "da/store/schema_registry.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "da/common/error.hpp"

namespace da::store {

void SchemaRegistry::add(SchemaNamespace space) {
  if (space.name.empty())
    throw Error(ErrorKind::kInternal, "a state schema namespace needs a name");
  for (const SchemaNamespace& known : spaces_)
    if (known.name == space.name)
      throw Error(ErrorKind::kInternal,
                  "state schema namespace \"" + space.name + "\" is registered twice");
  for (std::size_t index = 0; index < space.migrations.size(); ++index) {
    Migration& migration = space.migrations[index];
    if (migration.version != static_cast<int>(index) + 1)
      throw Error(ErrorKind::kInternal, "state schema namespace \"" + space.name +
                                            "\": migration \"" + migration.name +
                                            "\" has version " + std::to_string(migration.version) +
                                            ", expected " + std::to_string(index + 1));
    migration.space = space.name;
  }
  spaces_.push_back(std::move(space));
}

std::vector<Migration> SchemaRegistry::ordered() const {
  std::map<std::string, const SchemaNamespace*> by_name;
  for (const SchemaNamespace& space : spaces_)
    by_name[space.name] = &space;
  for (const SchemaNamespace& space : spaces_)
    for (const std::string& dependency : space.after)
      if (!by_name.count(dependency))
        throw Error(ErrorKind::kInternal, "state schema namespace \"" + space.name +
                                              "\" comes after \"" + dependency +
                                              "\", which no component registers");
  std::vector<Migration> migrations;
  std::set<std::string> placed;
  while (placed.size() < by_name.size()) {
    // The first namespace by name whose dependencies are all placed.
    const SchemaNamespace* next = nullptr;
    for (const auto& [name, space] : by_name) {
      if (placed.count(name)) continue;
      if (std::all_of(space->after.begin(), space->after.end(),
                      [&](const std::string& dependency) { return placed.count(dependency); })) {
        next = space;
        break;
      }
    }
    if (!next) {
      std::string waiting;
      for (const auto& [name, space] : by_name)
        if (!placed.count(name)) waiting += (waiting.empty() ? "" : ", ") + name;
      throw Error(ErrorKind::kInternal,
                  "state schema namespaces depend on each other in a cycle: " + waiting);
    }
    placed.insert(next->name);
    migrations.insert(migrations.end(), next->migrations.begin(), next->migrations.end());
  }
  return migrations;
}

}  // namespace da::store
