// Runs `da` with command-line arguments: builds the parser from the registered commands,
// dispatches, and turns every failure into one "da: error: ..." line and an exit code.
#pragma once

#include "da/module/module_registry.hpp"

namespace da::app {

int run_cli(int argc, char** argv, ModuleRegistry& modules);

}  // namespace da::app
