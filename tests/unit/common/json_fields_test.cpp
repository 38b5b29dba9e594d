// Fields of the wrong type are errors that name the field, of the reader's kind.
#include "da/common/json_fields.hpp"

#include <gtest/gtest.h>

#include "support/expect_error.hpp"

namespace da {
namespace {

using Json = nlohmann::json;

TEST(JsonFields, WrongTypesAndMissingFieldsNameTheField) {
  Json body = {{"type", 1}, {"token", "abc"}, {"id", "7"}, {"nested", {{"flag", "yes"}}}};
  JsonFields fields(body);
  EXPECT_EQ(testing::thrown_message(ErrorKind::kRequest, [&] { fields.string("type"); }),
            "field 'type' must be a string, not a number");
  EXPECT_EQ(testing::thrown_message(ErrorKind::kRequest, [&] { fields.integer("id"); }),
            "field 'id' must be an integer, not a string");
  EXPECT_EQ(testing::thrown_message(ErrorKind::kRequest, [&] { fields.string("missing"); }),
            "field 'missing' is required (a string)");
  EXPECT_EQ(testing::thrown_message(ErrorKind::kRequest,
                                    [&] { fields.object("nested").boolean_or("flag", false); }),
            "field 'nested.flag' must be true or false, not a string");
  EXPECT_EQ(fields.string("token"), "abc");
  EXPECT_EQ(fields.string_or("absent", "x"), "x");
  EXPECT_FALSE(fields.optional_integer("absent"));
}

TEST(JsonFields, NullCountsAsAbsentAndKindsFollowTheCaller) {
  Json body = {{"refresh_token", nullptr}, {"n", 3.5}};
  JsonFields fields(body, ErrorKind::kSource);
  EXPECT_FALSE(fields.has("refresh_token"));
  EXPECT_EQ(fields.string_or("refresh_token", ""), "");
  testing::thrown_message(ErrorKind::kSource, [&] { fields.integer("n"); });
  testing::thrown_message(ErrorKind::kRequest, [] { JsonFields(Json::array()); });
}

TEST(JsonFields, ParsingNamesWhatWasParsed) {
  EXPECT_EQ(testing::thrown_message(ErrorKind::kRequest,
                                    [] { parse_json_object("{", "the request body"); }),
            "the request body is not valid JSON");
  EXPECT_EQ(testing::thrown_message(ErrorKind::kRequest,
                                    [] { parse_json_object("[1]", "the message"); }),
            "the message must be a JSON object, not an array");
  EXPECT_EQ(parse_json_object(R"({"a":1})", "x")["a"], 1);
}

}  // namespace
}  // namespace da
