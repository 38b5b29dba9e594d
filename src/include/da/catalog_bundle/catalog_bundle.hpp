// The documentation that ships with the data, in <docs_dir>: what analysts and their AI
// assistants read before they write SQL.
//   CLAUDE.md           instructions for the analyst's AI assistant, with this instance's values
//   data_profile.md     a readable summary of metadata/profiles.json
//   metrics/index.md    every business metric, by category, with its file
// data_description.md, schema.yml (written by every sync) and metrics/<category>/*.yml are
// there already.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "da/catalog/data_description.hpp"
#include "da/config/instance_config.hpp"

namespace da::catalog_bundle {

struct BundleReport {
  std::vector<std::filesystem::path> written;
};

// The template CLAUDE.md is made from: <docs_dir>/setup/claude_md_template.md if it exists,
// else the built-in one. Placeholders: {{instance_name}}, {{server_hostname}}, {{webapp_url}},
// {{tables}}, {{metrics}}, {{generated_at}}.
std::string claude_md_template(const config::InstanceConfig& config);

// Writes every file of the bundle atomically.
BundleReport build_catalog_bundle(const config::InstanceConfig& config,
                               const catalog::DataDescription& catalog);

}  // namespace da::catalog_bundle
