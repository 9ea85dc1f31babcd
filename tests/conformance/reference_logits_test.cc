// The reference backend against Hugging Face transformers: logits of the conformance model
// (MiniLM-L6-H384 shape, real vocab, seeded weights written by `rerankd make-model`) for MS
// MARCO pairs, the tokenizer's hard cases and a few odd pairs, as computed by
// BertForSequenceClassification in fp32 (tools/make_logit_fixtures.py).
#include <gtest/gtest.h>

#include "backend/backend.h"
#include "logit_fixture.h"

namespace rerankd {
namespace {

class ReferenceLogitsTest : public testing::BackendLogitsTest {
 protected:
  backend::BackendOptions backend_options() const override { return backend::BackendOptions{}; }
};

TEST_F(ReferenceLogitsTest, BackendInfo) {
  const auto info = backend_->info();
  EXPECT_EQ(info.name, "reference");
  EXPECT_EQ(info.dtype, "fp32");
  EXPECT_EQ(info.device, "cpu");
  EXPECT_GE(info.threads, 1);
}

// The backend alone, from the token ids transformers' tokenizer produced.
TEST_F(ReferenceLogitsTest, FromFixtureTokenIds) { check_from_fixture_token_ids(); }

// Tokenizer and backend together, from the text.
TEST_F(ReferenceLogitsTest, FromText) { check_from_text(); }

}  // namespace
}  // namespace rerankd
