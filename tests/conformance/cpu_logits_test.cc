// The cpu backend (fp32) against Hugging Face transformers on the conformance model: the same
// fixture and checks as the reference backend (logit_fixture.h), within 1e-4.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "backend/backend.h"
#include "logit_fixture.h"

namespace rerankd {
namespace {

class CpuLogitsTest : public testing::BackendLogitsTest {
 protected:
  backend::BackendOptions backend_options() const override {
    return backend::BackendOptions{.name = "cpu", .dtype = "fp32", .threads = 2};
  }
};

TEST_F(CpuLogitsTest, BackendInfo) {
  const auto info = backend_->info();
  EXPECT_EQ(info.name, "cpu");
  EXPECT_EQ(info.dtype, "fp32");
  EXPECT_EQ(info.device, "cpu");
  EXPECT_EQ(info.threads, 2);
}

// The backend alone, from the token ids transformers' tokenizer produced, in one batch.
TEST_F(CpuLogitsTest, FromFixtureTokenIds) { check_from_fixture_token_ids(); }

// Tokenizer and backend together, from the text.
TEST_F(CpuLogitsTest, FromText) { check_from_text(); }

// In batches of 32, as the server forms them: packing different batch-mates changes nothing
// beyond the tolerance.
TEST_F(CpuLogitsTest, InBatchesOf32) {
  constexpr std::size_t kBatch = 32;
  double worst = -1.0;
  for (std::size_t first = 0; first < fixture_.pairs.size(); first += kBatch) {
    const std::size_t last = std::min(first + kBatch, fixture_.pairs.size());
    backend::PackedBatch batch;
    for (std::size_t i = first; i < last; ++i) {
      batch.add(fixture_.pairs[i].input_ids, testing::type_ids_for(fixture_.pairs[i]));
    }
    const auto logits = backend_->run(batch);
    ASSERT_TRUE(logits.ok()) << logits.status().to_string();
    ASSERT_EQ(logits->size(), last - first);
    for (std::size_t i = first; i < last; ++i) {
      const double diff = std::abs(double{(*logits)[i - first]} - fixture_.pairs[i].logit);
      EXPECT_LE(diff, testing::kLogitTolerance)
          << fixture_.pairs[i].source << " " << fixture_.pairs[i].index;
      if (!(diff <= worst)) worst = diff;
    }
  }
  std::printf("cpu, batches of %zu: max |logit - HF| = %.3g\n", kBatch, worst);
}

}  // namespace
}  // namespace rerankd
