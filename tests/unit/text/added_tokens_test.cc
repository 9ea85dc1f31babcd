#include "text/added_tokens.h"

#include <gtest/gtest.h>

#include <string>

namespace rerankd::text {
namespace {

std::string trace(const AddedTokens& tokens, std::string_view text) {
  std::string out;
  tokens.split(
      text, [&](std::string_view s) { out += "<" + std::string(s) + ">"; },
      [&](std::int32_t id) { out += "#" + std::to_string(id); });
  return out;
}

TEST(AddedTokens, SplitsOnExactMatchesOnly) {
  const AddedTokens tokens({{"[SEP]", 102}, {"[MASK]", 103}});
  EXPECT_EQ(trace(tokens, "a [MASK] b[SEP]"), "<a >#103< b>#102");
  EXPECT_EQ(trace(tokens, "[mask] [MASK"), "<[mask] [MASK>");
  EXPECT_EQ(trace(tokens, ""), "");
}

TEST(AddedTokens, PrefersTheLongestMatchAtAPosition) {
  const AddedTokens tokens({{"<s>", 1}, {"<s><s>", 2}});
  EXPECT_EQ(trace(tokens, "x<s><s><s>"), "<x>#2#1");
}

}  // namespace
}  // namespace rerankd::text
