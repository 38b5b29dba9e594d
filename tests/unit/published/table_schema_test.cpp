#include "da/published/table_schema.hpp"

#include "support/expect_error.hpp"
#include <gtest/gtest.h>

namespace da::published {
namespace {

TEST(TableSchema, RoundTripsThroughJson) {
  TableSchema schema{{{"a \"quoted\"", "DECIMAL(18,2)"}, {"b", "TIMESTAMP WITH TIME ZONE"}}};
  EXPECT_EQ(TableSchema::from_json(schema.to_json()), schema);
}

TEST(TableSchema, WritesOneCompactListOfNamesAndTypes) {
  TableSchema schema{{{"id", "BIGINT"}, {"day", "DATE"}}};
  EXPECT_EQ(schema.to_json(), R"([{"name":"id","type":"BIGINT"},{"name":"day","type":"DATE"}])");
  EXPECT_EQ(schema.names(), (std::vector<std::string>{"id", "day"}));
  ASSERT_NE(schema.find("day"), nullptr);
  EXPECT_EQ(schema.find("day")->type, "DATE");
  EXPECT_EQ(schema.find("missing"), nullptr);
}

TEST(TableSchema, MalformedStoredJsonIsAnInternalError) {
  da::testing::thrown_message(ErrorKind::kInternal,
                              [] { TableSchema::from_json("[{\"name\": 1}]"); });
}

}  // namespace
}  // namespace da::published
