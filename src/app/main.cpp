#include <cstdio>
#include <exception>

#include "cli_app.hpp"

int main(int argc, char** argv) {
  try {
    da::ModuleRegistry modules;
    da::register_all_modules(modules);
    return da::app::run_cli(argc, argv, modules);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "da: internal error: %s\n", e.what());
    return 1;
  }
}
