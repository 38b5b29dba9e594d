// The connector's `da jira ...` commands, registered by register_module().
#pragma once

#include "da/cli/command.hpp"

namespace da::connectors::jira {

// jira status, jira retry-failed
void add_status_commands(cli::CommandRegistry& commands);
// jira worker
void add_worker_command(cli::CommandRegistry& commands);
// jira backfill, jira rebuild
void add_backfill_commands(cli::CommandRegistry& commands);

}  // namespace da::connectors::jira
