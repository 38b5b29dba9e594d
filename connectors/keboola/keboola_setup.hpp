// What `da init --source keboola` asks (stack URL, Storage API token, project id) and writes:
// the data_source.keboola section and KEBOOLA_STORAGE_TOKEN in .env.
#pragma once

#include "da/sync/source_setup.hpp"

namespace da::connectors::keboola {

sync::SourceSetup keboola_setup();

}  // namespace da::connectors::keboola
