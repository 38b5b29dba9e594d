// data_source.csv: where the CSV files are and how to read them.
//
//   base_dir        folder of the files (relative to the instance root); default "."
//   path_template   a table's file when it has no `source:`; {name}, {id} and {bucket} are
//                   replaced; default "{name}.csv"
//   delimiter, quote, escape, header, encoding   the CSV dialect; sniffed when absent, except
//                   quote, which is '"' unless set ('' reads quotes as data)
#pragma once

#include <filesystem>
#include <string>

#include "da/config/instance_config.hpp"
#include "da/config/node_reader.hpp"
#include "da/sync/data_source.hpp"

namespace da::connectors::csv {

struct CsvSettings {
  std::filesystem::path base_dir;
  std::string path_template = "{name}.csv";
  sync::CsvDialect dialect;
};

// Reads and validates the section; problems go to the reader's diagnostics.
CsvSettings read_csv_settings(const config::InstanceConfig& config,
                              const config::NodeReader& section);

}  // namespace da::connectors::csv
