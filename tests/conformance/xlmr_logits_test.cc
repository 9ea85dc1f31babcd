// XLM-RoBERTa cross-encoders (XLMRobertaForSequenceClassification) against Hugging Face
// transformers: a small random-weight XLM-R made by `rerankd make-model --family xlm-roberta`
// with the SentencePiece fixture tokenizer, its logits computed by tools/make_logit_fixtures.py
// --family xlm-roberta (fixture: tests/fixtures/logits/xlmr_random.jsonl). The backends run the
// BERT graph; what makes it XLM-R is data (positions from pad_token_id + 1, the classification
// head's names, one token type), so these tests check that data, from HF's ids and from our
// tokenizer, on the reference backend and the cpu backend in fp32.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "backend/backend.h"
#include "logit_fixture.h"

namespace rerankd {
namespace {

class XlmrLogitsTest : public testing::BackendLogitsTest,
                       public ::testing::WithParamInterface<const char*> {
 protected:
  backend::BackendOptions backend_options() const override {
    return backend::BackendOptions{.name = GetParam(), .dtype = "fp32", .threads = 2};
  }
  std::filesystem::path model_dir() const override { return testing::xlmr_model_dir(); }
  std::filesystem::path fixture_path() const override { return testing::xlmr_logit_fixture_path(); }
  std::size_t min_fixture_pairs() const override { return 200; }

  // transformers numbers RoBERTa positions by counting non-pad tokens
  // (create_position_ids_from_input_ids), so a text that spells "<pad>" (an added token, id 1)
  // shifts every later position; rerankd, like text-embeddings-inference, numbers positions
  // pad_token_id + 1 + i. Only such pairs are left out, and the test insists they are rare.
  bool comparable(const testing::FixturePair& pair) const override {
    return std::find(pair.input_ids.begin(), pair.input_ids.end(), kPadId) == pair.input_ids.end();
  }
  static constexpr std::int32_t kPadId = 1;

  void SetUp() override {
    const auto probe = backend::create_backend(backend_options(), nullptr);
    if (probe.status().code() == StatusCode::kUnimplemented) {
      GTEST_SKIP() << probe.status().message();
    }
    BackendLogitsTest::SetUp();
  }
};

TEST_P(XlmrLogitsTest, FromFixtureTokenIds) {
  const auto left_out = std::count_if(fixture_.pairs.begin(), fixture_.pairs.end(),
                                      [this](const auto& pair) { return !comparable(pair); });
  EXPECT_LE(left_out, 2) << "pairs with a literal <pad> should be a couple of hard cases";
  check_from_fixture_token_ids();
}

TEST_P(XlmrLogitsTest, FromText) { check_from_text(); }

INSTANTIATE_TEST_SUITE_P(Backends, XlmrLogitsTest, ::testing::Values("reference", "cpu"));

}  // namespace
}  // namespace rerankd
