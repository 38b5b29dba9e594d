#include "operations_commands.hpp"

#include "da/module/module_registry.hpp"

namespace da::commands::operations {

void register_module(ModuleRegistry& registry) {
  registry.commands.add(migrate_command());
  registry.commands.add(backup_command());
  registry.commands.add(restore_command());
  registry.commands.add(status_command());
}

}  // namespace da::commands::operations
