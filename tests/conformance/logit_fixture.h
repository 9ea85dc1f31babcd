// Shared by the backends' logit conformance tests: the Hugging Face fixture
// (tests/fixtures/logits/minilm_l6_random.jsonl, from tools/make_logit_fixtures.py), the check
// that the conformance model on disk is the one it was computed from, and a test base that runs
// a backend on its pairs.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"

namespace rerankd::testing {

inline constexpr double kLogitTolerance = 1e-4;

struct FixturePair {
  std::string source;
  std::int64_t index = 0;
  std::string query;
  std::string document;
  std::vector<std::int32_t> input_ids;
  std::int64_t first_segment_length = 0;
  double logit = 0.0;
};

struct Fixture {
  std::string model_sha256;
  std::int64_t max_length = 512;  // what the ids were truncated to (the header's max_length)
  std::vector<FixturePair> pairs;
};

std::filesystem::path logit_fixture_path();
// The XLM-R fixture (tools/make_logit_fixtures.py --family xlm-roberta) and its model.
std::filesystem::path xlmr_logit_fixture_path();
std::filesystem::path xlmr_model_dir();
// Long XLM-R pairs (~4,000 and ~8,000 tokens, and one truncated to 8,192; --long) and their
// model, the same shape with 8,194 positions.
std::filesystem::path xlmr_long_logit_fixture_path();
std::filesystem::path xlmr_long_model_dir();
std::string sha256_of_file(const std::filesystem::path& path);
// Reads the fixture; failures are reported as gtest failures.
Fixture load_logit_fixture(const std::filesystem::path& path = logit_fixture_path());
// Token type ids: 0 for the first segment ([CLS] query [SEP]), 1 after.
std::vector<std::int32_t> type_ids_for(const FixturePair& pair);

// Everything is loaded in SetUp, not SetUpTestSuite: ctest runs one test per process anyway,
// and gtest reports a test whose suite setup failed as skipped, which ctest would count as a
// pass.
class BackendLogitsTest : public ::testing::Test {
 protected:
  // Which backend (and dtype, threads) the test runs.
  virtual backend::BackendOptions backend_options() const = 0;
  // Which model and fixture: the BERT conformance model unless a test says otherwise.
  virtual std::filesystem::path model_dir() const;
  virtual std::filesystem::path fixture_path() const { return logit_fixture_path(); }
  virtual std::size_t min_fixture_pairs() const { return 300; }
  // Whether a pair's logit is held to the fixture (all are, unless a family says why not).
  virtual bool comparable(const FixturePair&) const { return true; }

  void SetUp() override;
  // Runs the batch and checks every logit against the fixture's within `tolerance`, reporting
  // the worst pair.
  void expect_logits_match(const backend::PackedBatch& batch, double tolerance = kLogitTolerance);
  // The backend alone, from the token ids transformers' tokenizer produced.
  void check_from_fixture_token_ids();
  // Tokenizer and backend together, from the text.
  void check_from_text();
  // The fixture in consecutive batches of `batch_size`, as the server forms them: different
  // batch-mates change no logit beyond `tolerance`; prints the worst difference.
  void check_in_batches(std::size_t batch_size, double tolerance);

  Fixture fixture_;
  std::unique_ptr<backend::Backend> backend_;
};

}  // namespace rerankd::testing
