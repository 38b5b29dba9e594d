#include "keboola/adapter/column_types.hpp"
#include <gtest/gtest.h>

namespace da::connectors::keboola {
namespace {

TableDetail table_with(std::map<std::string, std::vector<MetadataEntry>> metadata) {
  TableDetail table;
  table.id = "in.c-crm.orders";
  for (const auto& [column, entries] : metadata)
    table.columns.push_back(column);
  table.column_metadata = std::move(metadata);
  return table;
}

ResolvedColumn only(const TableDetail& table) {
  auto columns = resolve_columns(table);
  EXPECT_EQ(columns.size(), 1u);
  return columns.at(0);
}

TEST(KeboolaColumnTypes, BaseTypesMapToDuckDb) {
  EXPECT_EQ(duckdb_type_for("STRING", ""), "VARCHAR");
  EXPECT_EQ(duckdb_type_for("INTEGER", ""), "BIGINT");
  EXPECT_EQ(duckdb_type_for("NUMERIC", ""), "DOUBLE");
  EXPECT_EQ(duckdb_type_for("NUMERIC", "38,2"), "DECIMAL(38,2)");
  EXPECT_EQ(duckdb_type_for("NUMERIC", "12,0"), "BIGINT");
  EXPECT_EQ(duckdb_type_for("numeric", "30"), "DECIMAL(30,0)");
  EXPECT_EQ(duckdb_type_for("FLOAT", ""), "DOUBLE");
  EXPECT_EQ(duckdb_type_for("BOOLEAN", ""), "BOOLEAN");
  EXPECT_EQ(duckdb_type_for("DATE", ""), "DATE");
  EXPECT_EQ(duckdb_type_for("TIMESTAMP", ""), "TIMESTAMP");
}

TEST(KeboolaColumnTypes, NativeTypesMapToDuckDb) {
  EXPECT_EQ(duckdb_type_for("NUMBER(18,4)", ""), "DECIMAL(18,4)");
  EXPECT_EQ(duckdb_type_for("NUMBER", "38,0"), "DECIMAL(38,0)");
  EXPECT_EQ(duckdb_type_for("VARCHAR(255)", ""), "VARCHAR");
  EXPECT_EQ(duckdb_type_for("TIMESTAMP_TZ", ""), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(duckdb_type_for("TIMESTAMP_LTZ", ""), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(duckdb_type_for("TIMESTAMP_NTZ", ""), "TIMESTAMP");
  EXPECT_EQ(duckdb_type_for("VARIANT", ""), "VARCHAR");
  EXPECT_EQ(duckdb_type_for("SOMETHING_NEW", ""), "");
}

TEST(KeboolaColumnTypes, ProvidersFollowTheDocumentedPriority) {
  std::vector<MetadataEntry> all = {
      {"KBC.datatype.basetype", "STRING", "storage"},
      {"KBC.datatype.basetype", "FLOAT", "keboola.ex-db-mysql"},
      {"KBC.datatype.basetype", "INTEGER", "keboola.snowflake-transformation"},
      {"KBC.datatype.basetype", "NUMERIC", "ai-metadata-enrichment"},
      {"KBC.datatype.length", "10,2", "ai-metadata-enrichment"},
      {"KBC.datatype.basetype", "DATE", "user"},
  };
  for (size_t keep = all.size(); keep >= 1; --keep) {
    std::vector<MetadataEntry> entries(all.begin(), all.begin() + static_cast<long>(keep));
    ResolvedColumn column = only(table_with({{"c", entries}}));
    static const char* kExpected[] = {"",    "", "DOUBLE", "BIGINT", "DOUBLE", "DECIMAL(10,2)",
                                      "DATE"};
    // With only the storage STRING (keep == 1), the sniffer decides.
    EXPECT_EQ(column.duckdb_type, kExpected[keep]) << "providers kept: " << keep;
  }
}

TEST(KeboolaColumnTypes, BasetypeWinsOverNativeTypeWithinAProvider) {
  ResolvedColumn column =
      only(table_with({{"c",
                        {{"KBC.datatype.type", "VARCHAR", "keboola.ex-db-pg"},
                         {"KBC.datatype.basetype", "INTEGER", "keboola.ex-db-pg"}}}}));
  EXPECT_EQ(column.duckdb_type, "BIGINT");
  EXPECT_EQ(column.source_type, "INTEGER");
  EXPECT_EQ(column.provider, "keboola.ex-db-pg");
}

TEST(KeboolaColumnTypes, TypedTablesUseTheirDefinitionBelowUserMetadata) {
  TableDetail table = table_with({{"amount", {{"KBC.datatype.basetype", "FLOAT", "keboola.ex-x"}}},
                                  {"note", {{"KBC.datatype.basetype", "STRING", "user"}}}});
  table.typed_columns = {{"amount", "NUMBER", "38,6", "NUMERIC"},
                         {"note", "NUMBER", "", "NUMERIC"}};
  auto columns = resolve_columns(table);
  EXPECT_EQ(columns[0].duckdb_type, "DECIMAL(38,6)");
  EXPECT_EQ(columns[0].provider, "definition");
  EXPECT_EQ(columns[1].duckdb_type, "VARCHAR");
  EXPECT_EQ(columns[1].provider, "user");
}

TEST(KeboolaColumnTypes, StorageStringOfATypedTableIsKept) {
  TableDetail table = table_with({{"c", {{"KBC.datatype.basetype", "STRING", "storage"}}}});
  table.typed_columns = {{"other", "NUMBER", "", ""}};
  EXPECT_EQ(only(table).duckdb_type, "VARCHAR");
}

TEST(KeboolaColumnTypes, DescriptionsFollowTheSamePriority) {
  ResolvedColumn column =
      only(table_with({{"c",
                        {{"KBC.description", "from the extractor", "keboola.ex-db-mysql"},
                         {"KBC.description", "what the analyst wrote", "user"},
                         {"KBC.description", "from the AI", "ai-metadata-enrichment"}}}}));
  EXPECT_EQ(column.description, "what the analyst wrote");
  EXPECT_EQ(column.duckdb_type, "");
}

TEST(KeboolaColumnTypes, AliasMetadataOverridesItsSourceTable) {
  TableDetail table = parse_table_json(R"({
    "id": "out.c-share.orders", "name": "orders", "isAlias": true, "columns": ["id"],
    "sourceTable": {"id": "in.c-crm.orders", "columnMetadata": {"id": [
      {"key": "KBC.datatype.basetype", "value": "STRING", "provider": "user"},
      {"key": "KBC.description", "value": "source description", "provider": "user"}]}},
    "columnMetadata": {"id": [
      {"key": "KBC.datatype.basetype", "value": "INTEGER", "provider": "user"}]}})");
  EXPECT_TRUE(table.is_alias);
  EXPECT_EQ(table.source_table_id, "in.c-crm.orders");
  ResolvedColumn column = only(table);
  EXPECT_EQ(column.duckdb_type, "BIGINT");
  EXPECT_EQ(column.description, "source description");
}

}  // namespace
}  // namespace da::connectors::keboola
