#include "text/bert_pre_tokenizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rerankd::text {
namespace {

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string_view> words;
  bert_pre_tokenize(text, words);
  return {words.begin(), words.end()};
}

TEST(BertPreTokenizer, SplitsOnWhitespaceAndIsolatesPunctuation) {
  EXPECT_THAT(words_of("  hello,  world!! "),
              ::testing::ElementsAre("hello", ",", "world", "!", "!"));
  EXPECT_THAT(words_of("a$b+c"), ::testing::ElementsAre("a", "$", "b", "+", "c"));
  EXPECT_TRUE(words_of(" \t\n").empty());
  EXPECT_TRUE(words_of("").empty());
}

TEST(BertPreTokenizer, UnicodePunctuationAndSpaces) {
  EXPECT_THAT(words_of("\xC2\xBFqu\xC3\xA9?"),
              ::testing::ElementsAre("\xC2\xBF", "qu\xC3\xA9", "?"));
  EXPECT_THAT(words_of("a\xE3\x80\x80"
                       "b"),
              ::testing::ElementsAre("a", "b"));  // U+3000
  // U+200B is not White_Space: it stays inside the word.
  EXPECT_THAT(words_of("a\xE2\x80\x8B"
                       "b"),
              ::testing::ElementsAre("a\xE2\x80\x8B"
                                     "b"));
}

}  // namespace
}  // namespace rerankd::text
