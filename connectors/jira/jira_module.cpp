#include "da/module/module_registry.hpp"

namespace da::connectors::jira {

void register_module(ModuleRegistry&) {}

}  // namespace da::connectors::jira
