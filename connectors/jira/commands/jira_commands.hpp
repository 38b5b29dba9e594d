// The connector's `da jira ...` commands, registered by register_module().
#pragma once

#include "da/cli/command.hpp"

namespace da {
struct ModuleRegistry;
}

namespace da::connectors::jira {

// jira status, jira retry-failed
void add_status_commands(cli::CommandRegistry& commands);
// jira worker
void add_worker_command(cli::CommandRegistry& commands);
// jira backfill, jira rebuild
void add_backfill_commands(cli::CommandRegistry& commands);
// jira check, jira sla-poll and their periodic jobs
void add_check_commands(ModuleRegistry& registry);

}  // namespace da::connectors::jira
