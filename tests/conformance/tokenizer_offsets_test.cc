// Single texts as text-embeddings-inference's /tokenize and /decode see them: ids, special
// tokens, byte offsets and decode() against Hugging Face `tokenizers`
// (tests/fixtures/tokenizer/offsets_expected.jsonl, from tools/make_tokenizer_fixtures.py).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/test_env.h"
#include "tokenizer_loaders.h"

namespace rerankd::testing {
namespace {

class Offsets : public ::testing::TestWithParam<std::string> {};

TEST_P(Offsets, MatchHuggingFace) {
  const text::Tokenizer tokenizer = load_bert_tokenizer(GetParam());
  std::ifstream in(fixtures_dir() / fixture_folder(GetParam()) / "offsets_expected.jsonl");
  simdjson::dom::parser parser;
  std::size_t checked = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const simdjson::dom::element want = parser.parse(line);
    const std::string text(want["text"].get_string().value());
    SCOPED_TRACE("text: " + text.substr(0, 80));
    std::vector<text::TokenSpan> spans;
    ASSERT_TRUE(tokenizer.tokenize_with_offsets(text, true, spans).ok());
    std::vector<std::int64_t> ids, special, offsets;
    for (const auto& span : spans) {
      ids.push_back(span.id);
      special.push_back(span.special ? 1 : 0);
      offsets.push_back(static_cast<std::int64_t>(span.start));
      offsets.push_back(static_cast<std::int64_t>(span.end));
    }
    std::vector<std::int64_t> want_ids, want_special, want_offsets;
    for (auto v : want["ids"].get_array()) want_ids.push_back(v.get_int64());
    for (auto v : want["special"].get_array()) want_special.push_back(v.get_int64());
    for (auto pair : want["offsets"].get_array()) {
      for (auto v : pair.get_array()) want_offsets.push_back(v.get_int64());
    }
    EXPECT_EQ(ids, want_ids);
    EXPECT_EQ(special, want_special);
    EXPECT_EQ(offsets, want_offsets);

    std::vector<std::int32_t> ids32(ids.begin(), ids.end());
    const auto decoded = tokenizer.decode(ids32, true);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, std::string(want["decoded"].get_string().value()));
    const auto with_special = tokenizer.decode(ids32, false);
    ASSERT_TRUE(with_special.ok());
    EXPECT_EQ(*with_special, std::string(want["decoded_with_special"].get_string().value()));
    ++checked;
  }
  EXPECT_GT(checked, 100u);
}

TEST_P(Offsets, DecodeNamesAnIdOutsideTheVocabulary) {
  const text::Tokenizer tokenizer = load_bert_tokenizer(GetParam());
  const std::vector<std::int32_t> ids = {101, 40000};
  const auto decoded = tokenizer.decode(ids, true);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("40000"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Loaders, Offsets, ::testing::ValuesIn(kTokenizerLoaders));

}  // namespace
}  // namespace rerankd::testing
