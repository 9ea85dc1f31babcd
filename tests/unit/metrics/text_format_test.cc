#include "metrics/text_format.h"

#include <gtest/gtest.h>

#include <limits>

namespace rerankd::metrics {
namespace {

TEST(TextFormat, HelpEscapesBackslashAndNewlineOnly) {
  EXPECT_EQ(escape_help("a\\b\nc \"q\""), "a\\\\b\\nc \"q\"");
}

TEST(TextFormat, LabelValueEscapesQuotesToo) {
  EXPECT_EQ(escape_label_value("a\\b\nc \"q\""), "a\\\\b\\nc \\\"q\\\"");
}

TEST(TextFormat, DoublesUseTheShortestRoundTripSpelling) {
  EXPECT_EQ(format_double(0.005), "0.005");
  EXPECT_EQ(format_double(1.0), "1");
  EXPECT_EQ(format_double(2.5), "2.5");
  EXPECT_EQ(format_double(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_double(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_double(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_double(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

}  // namespace
}  // namespace rerankd::metrics
