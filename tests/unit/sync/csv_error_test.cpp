#include "da/sync/csv_error.hpp"

#include <gtest/gtest.h>

namespace da::sync {
namespace {

constexpr const char* kConversion =
    "Conversion Error: CSV Error on Line: 30002\n"
    "Original Line: 30001,abc\n"
    "Error when converting column \"v\". Could not convert string \"abc\" to 'BIGINT'\n\n"
    "Column v is being converted as type BIGINT\n"
    "This type was auto-detected from the CSV file.\n\n"
    "  file = /data/in/late.csv\n"
    "  delimiter = , (Auto-Detected)\n";

TEST(CsvError, ParsesAConversionFailure) {
  auto failure = parse_conversion_failure(kConversion);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->file, "/data/in/late.csv");
  EXPECT_EQ(failure->line, 30002);
  EXPECT_EQ(failure->column, "v");
  EXPECT_EQ(failure->value, "abc");
  EXPECT_EQ(failure->type, "BIGINT");
  EXPECT_TRUE(failure->auto_detected);
  EXPECT_FALSE(parse_conversion_failure("Binder Error: something else"));
}

TEST(CsvError, SummarizesOtherReaderErrorsAsFileLineProblem) {
  EXPECT_EQ(summarize_csv_error(
                "Invalid Input Error: CSV Error on Line: 3\nOriginal Line: 2,b,c\n"
                "Expected Number of Columns: 2 Found: 3\nPossible fixes:\n  file = x.csv\n"),
            "x.csv:3: Expected Number of Columns: 2 Found: 3");
  EXPECT_EQ(summarize_csv_error("IO Error: No files found"), "IO Error: No files found");
}

}  // namespace
}  // namespace da::sync
