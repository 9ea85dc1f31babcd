#include "engine/reranker.h"

#include <algorithm>
#include <string>
#include <utility>

#include "common/finite.h"
#include "engine/model_fit.h"

namespace rerankd::engine {

Reranker::Reranker(std::shared_ptr<const model::BertModel> model, text::Tokenizer tokenizer,
                   std::unique_ptr<backend::Backend> backend, const EngineOptions& options)
    : model_(std::move(model)),
      tokenizer_(std::move(tokenizer)),
      backend_(std::move(backend)),
      tokenize_options_(options.tokenize),
      max_batch_pairs_(std::max<std::size_t>(1, options.max_batch_pairs)) {}

Result<std::unique_ptr<Reranker>> Reranker::open(const std::filesystem::path& model_dir,
                                                 const EngineOptions& options) {
  RERANKD_ASSIGN_OR_RETURN(auto model, model::BertModel::load(model_dir));
  RERANKD_ASSIGN_OR_RETURN(auto tokenizer, text::Tokenizer::from_directory(model_dir));
  RERANKD_RETURN_IF_ERROR(check_tokenizer_fits_model(tokenizer, model->config()));
  RERANKD_ASSIGN_OR_RETURN(auto tokenize_options,
                           resolve_tokenize_options(options.tokenize, model->config()));
  RERANKD_ASSIGN_OR_RETURN(auto backend, backend::create_backend(options.backend, model));
  EngineOptions resolved = options;
  resolved.tokenize = tokenize_options;
  return std::unique_ptr<Reranker>(
      new Reranker(std::move(model), std::move(tokenizer), std::move(backend), resolved));
}

Status Reranker::tokenize(const Pair& pair, text::Encoding& out) const {
  return tokenizer_.encode_pair(pair.query, pair.document, tokenize_options_, out);
}

Result<Scores> Reranker::score(std::span<const Pair> pairs, ScoreMode mode,
                               const PairLabel& label) {
  Scores scores;
  scores.num_labels = static_cast<std::size_t>(model_->config().num_labels);
  scores.values.reserve(pairs.size() * scores.num_labels);

  // Tokenize everything first so a bad pair fails the call before any compute is spent.
  std::vector<text::Encoding> encodings(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const Status status = tokenize(pairs[i], encodings[i]);
    if (!status.ok()) return status.with_context(label ? label(i) : "pair " + std::to_string(i));
  }

  backend::PackedBatch batch;
  for (std::size_t begin = 0; begin < pairs.size(); begin += max_batch_pairs_) {
    const std::size_t end = std::min(pairs.size(), begin + max_batch_pairs_);
    batch.clear();
    for (std::size_t i = begin; i < end; ++i)
      batch.add(encodings[i].input_ids, encodings[i].token_type_ids);
    RERANKD_ASSIGN_OR_RETURN(const auto logits, backend_->run(batch));
    if (logits.size() != batch.num_pairs() * scores.num_labels) {
      return internal_error("backend returned " + std::to_string(logits.size()) + " logits for " +
                            std::to_string(batch.num_pairs()) + " pairs");
    }
    if (const std::size_t bad = first_non_finite(logits); bad != kAllFinite) {
      const std::size_t pair = begin + bad / scores.num_labels;
      return internal_error((label ? label(pair) : "pair " + std::to_string(pair)) +
                            ": scored a non-finite logit (" + std::to_string(logits[bad]) + ")");
    }
    scores.values.insert(scores.values.end(), logits.begin(), logits.end());
  }
  if (mode == ScoreMode::kActivated) {
    apply_score_activation(model_->config().score_activation, scores.values);
  }
  return scores;
}

Result<std::vector<RankedIndex>> Reranker::rank(std::string_view query,
                                                std::span<const std::string_view> documents,
                                                std::size_t top_k, ScoreMode mode) {
  if (model_->config().num_labels != 1) {
    return failed_precondition("ranking needs a model with one label; this one has " +
                               std::to_string(model_->config().num_labels));
  }
  std::vector<Pair> pairs;
  pairs.reserve(documents.size());
  for (const auto document : documents) pairs.push_back({query, document});
  RERANKD_ASSIGN_OR_RETURN(const Scores scores, score(pairs, mode));

  return rank_by_score(scores.values, top_k);
}

}  // namespace rerankd::engine
