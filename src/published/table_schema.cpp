#include "da/published/table_schema.hpp"

#include <nlohmann/json.hpp>

#include "da/common/error.hpp"

namespace da::published {

const SchemaColumn* TableSchema::find(const std::string& name) const {
  for (const SchemaColumn& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

std::vector<std::string> TableSchema::names() const {
  std::vector<std::string> result;
  for (const SchemaColumn& column : columns)
    result.push_back(column.name);
  return result;
}

std::string TableSchema::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const SchemaColumn& column : columns)
    list.push_back({{"name", column.name}, {"type", column.type}});
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TableSchema TableSchema::from_json(const std::string& json) {
  TableSchema schema;
  try {
    for (const auto& item : nlohmann::json::parse(json)) {
      schema.columns.push_back(
          {item.at("name").get<std::string>(), item.at("type").get<std::string>()});
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kInternal, std::string("malformed stored schema: ") + e.what());
  }
  return schema;
}

}  // namespace da::published
