#include "app/pair_input.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rerankd::app {
namespace {

using ::testing::HasSubstr;

TEST(ParsePairs, ReadsJsonlInOrderAndSkipsBlankLines) {
  const auto pairs = parse_pairs(
      "{\"query\":\"q1\",\"document\":\"d1\"}\n\n{\"document\":\"d2\",\"query\":\"q\\u00e92\"}\n",
      PairFormat::kJsonl, "in.jsonl");
  ASSERT_TRUE(pairs.ok()) << pairs.status().to_string();
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_EQ((*pairs)[0].query, "q1");
  EXPECT_EQ((*pairs)[1].query,
            "q\xC3\xA9"
            "2");
  EXPECT_EQ((*pairs)[1].document, "d2");
  EXPECT_EQ((*pairs)[1].line, 3u);
}

TEST(ParsePairs, ReadsTsv) {
  const auto pairs = parse_pairs("what is rust\ta language\r\nq2\td2", PairFormat::kTsv, "in.tsv");
  ASSERT_TRUE(pairs.ok());
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_EQ((*pairs)[0].document, "a language");
  EXPECT_EQ((*pairs)[1].query, "q2");
}

TEST(ParsePairs, SniffsFormat) {
  const auto jsonl = parse_pairs("  {\"query\":\"a\",\"document\":\"b\"}", PairFormat::kAuto, "x");
  ASSERT_TRUE(jsonl.ok());
  EXPECT_EQ((*jsonl)[0].document, "b");
  const auto tsv = parse_pairs("a\tb\n", PairFormat::kAuto, "x");
  ASSERT_TRUE(tsv.ok());
  EXPECT_EQ((*tsv)[0].document, "b");
}

TEST(ParsePairs, InvalidJsonNamesTheLine) {
  const auto pairs = parse_pairs("{\"query\":\"a\",\"document\":\"b\"}\n{\"query\": oops}\n",
                                 PairFormat::kJsonl, "in.jsonl");
  ASSERT_FALSE(pairs.ok());
  EXPECT_EQ(pairs.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(pairs.status().message(), HasSubstr("in.jsonl line 2: invalid JSON"));
}

TEST(ParsePairs, MissingAndMistypedFieldsAreNamed) {
  const auto missing = parse_pairs("{\"query\":\"a\"}", PairFormat::kJsonl, "in.jsonl");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("line 1: missing field \"document\""));
  const auto mistyped = parse_pairs("{\"query\":3,\"document\":\"b\"}", PairFormat::kJsonl, "in");
  ASSERT_FALSE(mistyped.ok());
  EXPECT_THAT(mistyped.status().message(), HasSubstr("\"query\" must be a string, got a number"));
  const auto not_object = parse_pairs("[1,2]", PairFormat::kJsonl, "in");
  ASSERT_FALSE(not_object.ok());
  EXPECT_THAT(not_object.status().message(), HasSubstr("expected a JSON object"));
}

TEST(ParsePairs, InvalidUtf8IsRejectedInBothFormats) {
  const std::string bad = "caf\xC3(";
  const auto jsonl =
      parse_pairs("{\"query\":\"" + bad + "\",\"document\":\"b\"}", PairFormat::kJsonl, "in");
  ASSERT_FALSE(jsonl.ok());
  EXPECT_THAT(jsonl.status().message(), HasSubstr("line 1"));
  const auto tsv = parse_pairs("ok\tfine\n" + bad + "\tb", PairFormat::kTsv, "in.tsv");
  ASSERT_FALSE(tsv.ok());
  EXPECT_THAT(tsv.status().message(), HasSubstr("in.tsv line 2: invalid UTF-8"));
}

TEST(ParsePairs, TsvNeedsExactlyTwoFields) {
  const auto one = parse_pairs("just a query", PairFormat::kTsv, "in.tsv");
  ASSERT_FALSE(one.ok());
  EXPECT_THAT(one.status().message(), HasSubstr("expected 2 tab-separated fields"));
  const auto three = parse_pairs("q\td\textra", PairFormat::kTsv, "in.tsv");
  ASSERT_FALSE(three.ok());
  EXPECT_THAT(three.status().message(), HasSubstr("found 3"));
}

TEST(ReadPairs, MissingFileIsNotFound) {
  const auto pairs = read_pairs("/nonexistent/pairs.jsonl", PairFormat::kAuto);
  ASSERT_FALSE(pairs.ok());
  EXPECT_EQ(pairs.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(pairs.status().message(), HasSubstr("/nonexistent/pairs.jsonl"));
}

}  // namespace
}  // namespace rerankd::app
