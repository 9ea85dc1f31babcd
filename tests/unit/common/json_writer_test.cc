#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace rerankd::json {
namespace {

TEST(JsonWriter, EscapesQuotesBackslashesAndControls) {
  std::string out;
  append_string(out, std::string("a\"b\\c\nd\x01") + "\xC3\xA9");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001\xC3\xA9\"");
}

TEST(JsonWriter, EscapesAtTheEdgesAndAppendsAfterExistingText) {
  std::string out = "x";
  append_string(out, "\"mid\x1f");
  append_string(out, "");
  append_string(out, "\t\b\f\r");
  EXPECT_EQ(out, "x\"\\\"mid\\u001f\"\"\"\"\\t\\b\\f\\r\"");
}

TEST(JsonWriter, FloatsRoundTrip) {
  const float value = 0.1f + 1e-7f;
  std::string out;
  append_number(out, value);
  EXPECT_EQ(std::stof(out), value);
}

TEST(JsonWriter, NonFiniteBecomesNull) {
  std::string out;
  append_number(out, std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(out, "null");
}

TEST(JsonWriter, IntArrays) {
  std::string out;
  const std::vector<std::int32_t> ids{101, 7592, 102};
  append_array(out, ids);
  EXPECT_EQ(out, "[101,7592,102]");
}

}  // namespace
}  // namespace rerankd::json
