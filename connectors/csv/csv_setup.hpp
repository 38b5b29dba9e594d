// What `da init --source csv` asks (the folder of the files) and writes: the data_source.csv
// section. The CSV connector needs no secrets.
#pragma once

#include "da/sync/source_setup.hpp"

namespace da::connectors::csv {

sync::SourceSetup csv_setup();

}  // namespace da::connectors::csv
