// The operator's commands: da migrate, da backup, da restore, da status (docs/operations.md).
#pragma once

#include "da/cli/command.hpp"

namespace da::commands::operations {

cli::CommandSpec migrate_command();
cli::CommandSpec backup_command();
cli::CommandSpec restore_command();
cli::CommandSpec status_command();

}  // namespace da::commands::operations
