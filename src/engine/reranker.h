// The in-process API: tokenizer + backend + score activation. The CLI uses it directly; the
// server and the benchmark harness will drive the same pieces through the scheduler.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backend/backend.h"
#include "common/result.h"
#include "engine/ranking.h"
#include "engine/score_activation.h"
#include "model/bert_model.h"
#include "text/tokenizer.h"

namespace rerankd::engine {

struct EngineOptions {
  backend::BackendOptions backend;
  // max_length 0 means the model's max_position_embeddings (512 for BERT).
  text::TokenizeOptions tokenize{.max_length = 0, .truncation = text::Truncation::kLongestFirst};
  std::size_t max_batch_pairs = 32;  // pairs per backend call
};

struct Pair {
  std::string_view query;
  std::string_view document;
};

// Scores per pair: num_labels values per pair, row-major (one value for rerankers).
struct Scores {
  std::size_t num_labels = 1;
  std::vector<float> values;

  std::span<const float> of_pair(std::size_t pair) const {
    return std::span<const float>(values).subspan(pair * num_labels, num_labels);
  }
};

// Not thread-safe: one Reranker drives one backend from the calling thread.
class Reranker {
 public:
  // Loads the model in `model_dir` (config, weights, tokenizer) and builds the backend.
  static Result<std::unique_ptr<Reranker>> open(const std::filesystem::path& model_dir,
                                                const EngineOptions& options);

  // Names pair i in error messages; the default says "pair i".
  using PairLabel = std::function<std::string(std::size_t)>;

  // Scores pairs in input order. An error names the pair that caused it (through `label`, e.g.
  // its input line); no partial result is returned.
  Result<Scores> score(std::span<const Pair> pairs, ScoreMode mode, const PairLabel& label = {});

  // Scores `documents` against `query` and returns them best first, cut to `top_k` (0 = all).
  // FailedPrecondition for a model with more than one label (there is no single relevance).
  Result<std::vector<RankedIndex>> rank(std::string_view query,
                                        std::span<const std::string_view> documents,
                                        std::size_t top_k, ScoreMode mode);

  // Tokenizes one pair with the engine's truncation settings.
  Status tokenize(const Pair& pair, text::Encoding& out) const;

  const model::BertModel& model() const { return *model_; }
  const text::Tokenizer& tokenizer() const { return tokenizer_; }
  backend::BackendInfo backend_info() const { return backend_->info(); }
  const text::TokenizeOptions& tokenize_options() const { return tokenize_options_; }

 private:
  Reranker(std::shared_ptr<const model::BertModel> model, text::Tokenizer tokenizer,
           std::unique_ptr<backend::Backend> backend, const EngineOptions& options);

  std::shared_ptr<const model::BertModel> model_;
  text::Tokenizer tokenizer_;
  std::unique_ptr<backend::Backend> backend_;
  text::TokenizeOptions tokenize_options_;
  std::size_t max_batch_pairs_;
};

}  // namespace rerankd::engine
