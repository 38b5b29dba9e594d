#include "da/module/module_registry.hpp"

namespace da::connectors::jira {

// The webhook slice registers the jira: section, routes, commands and jobs here.
void register_module(ModuleRegistry&) {}

}  // namespace da::connectors::jira
