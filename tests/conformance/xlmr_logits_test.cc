// XLM-RoBERTa cross-encoders (XLMRobertaForSequenceClassification) against Hugging Face
// transformers: small random-weight XLM-R models made by `rerankd make-model --family
// xlm-roberta` with the SentencePiece fixture tokenizer, their logits computed by
// tools/make_logit_fixtures.py --family xlm-roberta [--long]. The backends run the BERT graph;
// what makes it XLM-R is data (positions from pad_token_id + 1, the classification head's
// names, one token type), so these tests check that data, from HF's ids and from our tokenizer,
// on the reference backend and the cpu backend in every dtype: on a few hundred MS MARCO pairs
// and hard cases (xlmr_random.jsonl), and on pairs of about 1,000, 4,000 and 8,000 tokens plus
// one truncated to 8,192 (xlmr_long.jsonl, a model with 8,194 positions).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "backend/backend.h"
#include "logit_fixture.h"

namespace rerankd {
namespace {

struct XlmrCase {
  const char* backend;
  const char* dtype;
};

// The BERT family's bounds against transformers (cpu_logits_test.cc says how they were found).
double tolerance_for(const std::string& dtype) {
  if (dtype == "bf16") return 0.12;
  if (dtype == "int8") return 0.4;
  return testing::kLogitTolerance;
}

class XlmrLogitsTest : public testing::BackendLogitsTest,
                       public ::testing::WithParamInterface<XlmrCase> {
 protected:
  backend::BackendOptions backend_options() const override {
    return backend::BackendOptions{
        .name = GetParam().backend, .dtype = GetParam().dtype, .threads = 2};
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

  double tolerance() const { return tolerance_for(GetParam().dtype); }
  bool is_fp32() const { return std::string(GetParam().dtype) == "fp32"; }
};

TEST_P(XlmrLogitsTest, FromFixtureTokenIds) {
  const auto left_out = std::count_if(fixture_.pairs.begin(), fixture_.pairs.end(),
                                      [this](const auto& pair) { return !comparable(pair); });
  EXPECT_LE(left_out, 2) << "pairs with a literal <pad> should be a couple of hard cases";
  backend::PackedBatch batch;
  for (const auto& pair : fixture_.pairs) batch.add(pair.input_ids, testing::type_ids_for(pair));
  expect_logits_match(batch, tolerance());
}

TEST_P(XlmrLogitsTest, FromText) {
  if (!is_fp32()) GTEST_SKIP() << "the text path is checked once, with fp32";
  check_from_text();
}

// In batches of 32, as the server forms them: batch-mates change no logit beyond the bound.
TEST_P(XlmrLogitsTest, InBatchesOf32) {
  if (is_fp32()) GTEST_SKIP() << "fp32 packing is checked by the BERT family's tests";
  check_in_batches(32, tolerance());
}

std::string case_name(const ::testing::TestParamInfo<XlmrCase>& info) {
  return std::string(info.param.backend) + "_" + info.param.dtype;
}

INSTANTIATE_TEST_SUITE_P(Backends, XlmrLogitsTest,
                         ::testing::Values(XlmrCase{"reference", "fp32"}, XlmrCase{"cpu", "fp32"},
                                           XlmrCase{"cpu", "bf16"}, XlmrCase{"cpu", "int8"}),
                         case_name);

// Long pairs: the model's whole position table, attention over 8,192 keys.
class XlmrLongLogitsTest : public XlmrLogitsTest {
 protected:
  std::filesystem::path model_dir() const override { return testing::xlmr_long_model_dir(); }
  std::filesystem::path fixture_path() const override {
    return testing::xlmr_long_logit_fixture_path();
  }
  std::size_t min_fixture_pairs() const override { return 4; }
};

TEST_P(XlmrLongLogitsTest, FixtureReachesTheModelsLimit) {
  std::size_t longest = 0;
  for (const auto& pair : fixture_.pairs) longest = std::max(longest, pair.input_ids.size());
  EXPECT_EQ(fixture_.max_length, 8192);
  EXPECT_EQ(longest, 8192U) << "one pair should be truncated to exactly 8,192 tokens";
}

TEST_P(XlmrLongLogitsTest, FromFixtureTokenIds) {
  backend::PackedBatch batch;
  for (const auto& pair : fixture_.pairs) batch.add(pair.input_ids, testing::type_ids_for(pair));
  expect_logits_match(batch, tolerance());
}

TEST_P(XlmrLongLogitsTest, FromText) {
  // The reference backend takes about 14 s a pair of 8,192 tokens on one core; the tokenizer is
  // the same for every backend, so cpu fp32 checks the text path.
  if (!is_fp32() || std::string(GetParam().backend) != "cpu") {
    GTEST_SKIP() << "the text path is checked once, with cpu fp32";
  }
  check_from_text();
}

INSTANTIATE_TEST_SUITE_P(Backends, XlmrLongLogitsTest,
                         ::testing::Values(XlmrCase{"reference", "fp32"}, XlmrCase{"cpu", "fp32"},
                                           XlmrCase{"cpu", "bf16"}, XlmrCase{"cpu", "int8"}),
                         case_name);

}  // namespace
}  // namespace rerankd
