// The two files `da init` writes: config/instance.yaml (from the example compiled into the
// binary, so it keeps the example's comments) and the instance's .env (secrets only).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "init/init_answers.hpp"

namespace da::commands::init {

// config/instance.yaml.example as it was when `da` was built.
std::string_view instance_example();

// The example with the answers filled in: instance.name, server.hostname's default,
// auth.allowed_domain, email.from_address and from_name, and a data_source section: its type
// and the chosen connector's lines (its setup's yaml_lines, which only reference secrets).
// Throws Error(kInternal) if the example lacks a line it should have.
std::string render_instance_yaml(const InitAnswers& answers,
                                 const sync::DataSourceRegistry& sources, std::string_view example);

// `existing` .env text with every variable of `values` set, and every variable whose name
// starts with `drop_prefix` (when not empty) removed unless `values` sets it. Other lines,
// comments included, are kept as they are. Throws Error(kConfig) if `existing` is not a valid
// .env (naming `source`) or a value cannot be written to one.
std::string merge_dotenv(std::string_view existing, const std::string& source,
                         const std::map<std::string, std::string>& values,
                         std::string_view drop_prefix);

}  // namespace da::commands::init
