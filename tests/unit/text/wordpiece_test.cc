#include "text/wordpiece.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rerankd::text {
namespace {

Vocab small_vocab() {
  Vocab vocab;
  int id = 0;
  for (const char* token :
       {"[UNK]", "un", "##aff", "##able", "aff", "##a", "a", "##b", "\xC3\xA9", "##\xC3\xA9"}) {
    EXPECT_TRUE(vocab.add(token, id++).ok());
  }
  return vocab;
}

std::vector<std::int32_t> pieces(const WordPiece& model, std::string_view word) {
  std::vector<std::int32_t> ids;
  model.tokenize_word(word, ids);
  return ids;
}

TEST(WordPiece, GreedyLongestMatchFirst) {
  const auto model = WordPiece::create(small_vocab(), {});
  ASSERT_TRUE(model.ok());
  EXPECT_THAT(pieces(*model, "unaffable"), ::testing::ElementsAre(1, 2, 3));
  EXPECT_THAT(pieces(*model, "aab"), ::testing::ElementsAre(6, 5, 7));
  EXPECT_THAT(pieces(*model, "\xC3\xA9\xC3\xA9"), ::testing::ElementsAre(8, 9));
}

TEST(WordPiece, UnmatchablePartMakesTheWholeWordUnknown) {
  const auto model = WordPiece::create(small_vocab(), {});
  ASSERT_TRUE(model.ok());
  std::vector<std::int32_t> ids = {42};
  model->tokenize_word("unaffablez", ids);
  EXPECT_THAT(ids, ::testing::ElementsAre(42, 0));  // earlier ids are kept, partial ones are not
}

TEST(WordPiece, LongWordsAreUnknownByCharacterCount) {
  WordPieceOptions options;
  options.max_input_chars_per_word = 4;
  const auto model = WordPiece::create(small_vocab(), options);
  ASSERT_TRUE(model.ok());
  EXPECT_THAT(pieces(*model, "aaaa"), ::testing::ElementsAre(6, 5, 5, 5));
  EXPECT_THAT(pieces(*model, "aaaaa"), ::testing::ElementsAre(0));
  // Four characters, eight bytes: still within the limit.
  EXPECT_THAT(pieces(*model, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"),
              ::testing::ElementsAre(8, 9, 9, 9));
}

TEST(WordPiece, MissingUnknownTokenIsAnError) {
  WordPieceOptions options;
  options.unk_token = "<unk>";
  const auto model = WordPiece::create(small_vocab(), options);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("<unk>"), std::string::npos);
}

}  // namespace
}  // namespace rerankd::text
