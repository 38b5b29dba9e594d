#include <cstdio>
#include <exception>

#include "cli_app.hpp"

int main(int argc, char** argv) {
  try {
    da::PluginRegistry plugins;
    da::register_all_plugins(plugins);
    return da::app::run_cli(argc, argv, plugins);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "da: internal error: %s\n", e.what());
    return 1;
  }
}
