#include "text/unigram.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "text/precompiled_charsmap.h"

namespace rerankd::text {
namespace {

struct Piece {
  std::string text;
  double score;
};

// A Unigram model over `pieces` (id = position); `unk` is the unknown piece's id. Not movable:
// the model points at the vocabulary beside it.
struct Model {
  Vocab vocab;
  std::optional<Unigram> unigram;

  explicit Model(const std::vector<Piece>& pieces, std::int32_t unk = 0,
                 bool byte_fallback = false) {
    UnigramOptions options;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      EXPECT_TRUE(vocab.add(pieces[i].text, static_cast<std::int32_t>(i)).ok());
      options.scores.push_back(pieces[i].score);
    }
    options.unk_id = unk;
    options.byte_fallback = byte_fallback;
    auto created = Unigram::create(vocab, options);
    EXPECT_TRUE(created.ok()) << created.status().to_string();
    if (created.ok()) unigram = std::move(created).value();
  }
  Model(const Model&) = delete;

  std::vector<std::int32_t> ids(std::string_view word) const {
    std::vector<std::int32_t> out;
    if (unigram) unigram->tokenize_word(word, out);
    return out;
  }
};

TEST(Unigram, PicksTheMostProbableSegmentation) {
  const Model m({{"<unk>", 0}, {"a", -1}, {"b", -1}, {"ab", -1.5}, {"abc", -5}, {"c", -1}});
  EXPECT_EQ(m.ids("ab"), (std::vector<std::int32_t>{3}));      // -1.5 beats -2
  EXPECT_EQ(m.ids("abc"), (std::vector<std::int32_t>{3, 5}));  // -2.5 beats -5 and -3
}

TEST(Unigram, TiesKeepThePathWhoseLastPieceStartsEarliest) {
  // "aa" + "a" and "a" + "aa" both score -2: tokenizers keeps the one found first.
  const Model m({{"<unk>", 0}, {"a", -1}, {"aa", -1}});
  EXPECT_EQ(m.ids("aaa"), (std::vector<std::int32_t>{1, 2}));
}

TEST(Unigram, ConsecutiveUnknownCharactersFuseIntoOneUnknown) {
  const Model m({{"<unk>", 0}, {"a", -1}});
  EXPECT_EQ(m.ids("a\xC3\xA9\xC3\xA8"
                  "a"),
            (std::vector<std::int32_t>{1, 0, 1}));
}

TEST(Unigram, ByteFallbackSpellsUnknownTextInBytes) {
  std::vector<Piece> pieces = {{"<unk>", 0}, {"a", -1}};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    pieces.push_back({name, -10});
  }
  const Model m(pieces, 0, /*byte_fallback=*/true);
  // U+00E9 is C3 A9: ids 2 + 0xC3 and 2 + 0xA9.
  EXPECT_EQ(m.ids("a\xC3\xA9"), (std::vector<std::int32_t>{1, 2 + 0xC3, 2 + 0xA9}));
}

TEST(Unigram, MissingUnknownPieceIsRefused) {
  Vocab vocab;
  ASSERT_TRUE(vocab.add("a", 0).ok());
  const auto created = Unigram::create(vocab, {.scores = {-1.0}, .unk_id = -1});
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.status().message().find("unk_id"), std::string::npos);
}

TEST(PrecompiledCharsmap, MalformedMapsAreNamedNotRead) {
  EXPECT_FALSE(PrecompiledCharsmap::parse("").ok());
  // A trie size larger than the map itself.
  const std::string too_big(
      "\xFF\xFF\x00\x00"
      "abcd",
      8);
  const auto parsed = PrecompiledCharsmap::parse(too_big);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("trie size"), std::string::npos);
}

}  // namespace
}  // namespace rerankd::text
