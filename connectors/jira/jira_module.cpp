// The Jira connector: Jira Cloud (or Data Center) pushes webhooks, which the portal queues
// (webhook/) and `da jira worker` applies (worker/). Everything it needs is registered here.
#include "jira/commands/jira_commands.hpp"
#include "jira/jira_settings.hpp"
#include "jira/webhook/webhook_feature.hpp"

#include "da/module/module_registry.hpp"
#include "da/web/portal_feature.hpp"

namespace da::connectors::jira {

void register_module(ModuleRegistry& registry) {
  JiraSettings::claim_section(registry.config_sections);
  registry.portal_features.add("jira_webhook", make_webhook_feature);
  registry.commands.describe_group("jira", "The Jira connector: its webhook queue and worker");
  add_status_commands(registry.commands);
  add_worker_command(registry.commands);
  add_backfill_commands(registry.commands);
  add_check_commands(registry);
}

}  // namespace da::connectors::jira
