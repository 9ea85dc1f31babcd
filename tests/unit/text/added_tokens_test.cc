#include "text/added_tokens.h"

#include <gtest/gtest.h>

#include <string>

namespace rerankd::text {
namespace {

std::string trace(const AddedTokens& tokens, std::string_view text) {
  std::string out;
  tokens.split(
      text, [&](std::string_view s) { out += "<" + std::string(s) + ">"; },
      [&](std::int32_t id, std::size_t start, std::size_t end) {
        out += "#" + std::to_string(id) + "@" + std::to_string(start) + "-" + std::to_string(end);
      });
  return out;
}

TEST(AddedTokens, SplitsOnExactMatchesOnly) {
  const AddedTokens tokens({{"[SEP]", 102}, {"[MASK]", 103}});
  EXPECT_EQ(trace(tokens, "a [MASK] b[SEP]"), "<a >#103@2-8< b>#102@10-15");
  EXPECT_EQ(trace(tokens, "[mask] [MASK"), "<[mask] [MASK>");
  EXPECT_EQ(trace(tokens, ""), "");
}

TEST(AddedTokens, PrefersTheLongestMatchAtAPosition) {
  const AddedTokens tokens({{"<s>", 1}, {"<s><s>", 2}});
  EXPECT_EQ(trace(tokens, "x<s><s><s>"), "<x>#2@1-7#1@7-10");
}

// XLM-R's <mask> has lstrip: the whitespace before it (any Unicode White_Space) belongs to the
// token, as tokenizers' AddedVocabulary gives it; rstrip takes the whitespace after.
TEST(AddedTokens, StripFlagsAbsorbNeighbouringWhitespace) {
  const AddedTokens tokens({{"<mask>", 4, /*lstrip=*/true, /*rstrip=*/false},
                            {"</s>", 2, /*lstrip=*/false, /*rstrip=*/true}});
  EXPECT_EQ(trace(tokens, "a \u3000 <mask> b"), "<a>#4@1-12< b>");
  EXPECT_EQ(trace(tokens, "a</s>  b"), "<a>#2@1-7<b>");
  EXPECT_EQ(trace(tokens, "</s> <mask>"), "#2@0-5#4@5-11");
}

}  // namespace
}  // namespace rerankd::text
