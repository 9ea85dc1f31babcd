#include "backend/reference/bert_forward.h"

#include <algorithm>
#include <atomic>
#include <numeric>
#include <system_error>
#include <thread>

#include "backend/reference/classifier_head.h"
#include "backend/reference/embeddings.h"
#include "backend/reference/encoder_layer.h"
#include "backend/reference/input_checks.h"

namespace rerankd::backend::reference {

void forward_pair(const model::BertConfig& config, const model::BertWeights& weights,
                  std::span<const std::int32_t> ids, std::span<const std::int32_t> type_ids,
                  PairScratch& scratch, std::span<float> logits) {
  const auto length = static_cast<std::int64_t>(ids.size());
  scratch.resize_for(config, length);
  embed_pair(config, weights, ids, type_ids, scratch.hidden);
  for (const auto& layer : weights.layers) encoder_layer(config, layer, length, scratch);
  const std::span<const float> cls(scratch.hidden.data(),
                                   static_cast<std::size_t>(config.hidden_size));
  classifier_head(weights, cls, scratch.pooled, logits);
}

Result<std::vector<float>> forward_batch(const model::BertConfig& config,
                                         const model::BertWeights& weights,
                                         const PackedBatch& batch, int threads) {
  RERANKD_RETURN_IF_ERROR(check_batch(config, batch));
  const std::size_t num_pairs = batch.num_pairs();
  const auto num_labels = static_cast<std::size_t>(config.num_labels);
  std::vector<float> logits(num_pairs * num_labels);
  if (num_pairs == 0) return logits;

  // Longest pairs first, so the last pairs handed out are short and threads finish together.
  std::vector<std::size_t> order(num_pairs);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return batch.length(a) > batch.length(b); });

  std::atomic<std::size_t> next{0};
  auto work = [&] {
    PairScratch scratch;
    for (std::size_t n = next++; n < num_pairs; n = next++) {
      const std::size_t pair = order[n];
      const auto begin = static_cast<std::size_t>(batch.cu_seqlens[pair]);
      const auto length = static_cast<std::size_t>(batch.length(pair));
      forward_pair(config, weights, std::span(batch.input_ids).subspan(begin, length),
                   std::span(batch.token_type_ids).subspan(begin, length), scratch,
                   std::span(logits).subspan(pair * num_labels, num_labels));
    }
  };

  std::size_t workers = threads > 0 ? static_cast<std::size_t>(threads)
                                    : std::max(1u, std::thread::hardware_concurrency());
  workers = std::min(workers, num_pairs);
  // The calling thread is worker 0; the rest are started here and joined before returning.
  std::vector<std::thread> helpers;
  try {
    for (std::size_t i = 1; i < workers; ++i) helpers.emplace_back(work);
  } catch (const std::system_error& error) {
    // Too few threads is not an error worth failing the batch for: run with those started.
    (void)error;
  }
  work();
  for (auto& helper : helpers) helper.join();
  return logits;
}

}  // namespace rerankd::backend::reference
