// The cpu backend's BERT cross-encoder forward pass over a packed batch: every GEMM runs once on
// the tokens of all pairs end to end (oneDNN), attention runs per (pair, head) over the pair's
// own length, and there is no padding anywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <vector>

#include "backend/cpu/attention.h"
#include "backend/cpu/classifier_head.h"
#include "backend/cpu/layer_norm.h"
#include "backend/cpu/matmul.h"
#include "backend/cpu/pair_groups.h"
#include "backend/cpu/workspace.h"
#include "backend/packed_batch.h"
#include "common/result.h"
#include "model/bert_config.h"
#include "model/bert_weights.h"

namespace rerankd::backend::cpu {

// Tokens one thread takes through the encoder at a time. A bigger group of pairs runs in passes
// of consecutive pairs of at most this many (a longer pair alone; threads sharing a batch take
// this many each), so the arenas are sized once, at creation, for the largest pass and never
// grow with the batch: MiniLM-L6 in fp32 on 2 threads reserves 72.5 MiB, where whole groups of
// a 16,384-token batch had grown a 2-thread soak's arenas to 788 MB over 20 minutes. Speed is
// unchanged: the GEMMs already run in chunks of at most 1,024 rows (kChunkRows), and on 2 cores
// (bench/packed_bert_bench) 64 pairs of 256 tokens ran 34.9 pairs/s in passes against 34.4 in
// one, int8 65.5 against 63.0, and 32 pairs of 80 tokens in bf16 194 against 188.
inline constexpr std::size_t kTokensPerPass = 2048;

// Not thread-safe: one caller at a time (its workspaces are shared by calls).
// Keeps pointers into `weights` (embedding tables, LayerNorm parameters), so the weights must
// outlive it; the projection weights are copied into oneDNN's layouts.
class PackedBert {
 public:
  // `precision` is that of the four GEMMs of every encoder layer but the last, whose GEMMs
  // after attention run on the [CLS] rows alone and stay fp32; embeddings, LayerNorm,
  // attention and the classifier head stay fp32 too. `threads` (>= 1) OpenMP threads run each
  // batch, each thread in passes of at most `tokens_per_pass` tokens. FailedPrecondition when
  // the weights do not match the config (reference::check_weights); Unimplemented when this CPU
  // cannot run `precision`; Internal when oneDNN refuses a shape; ResourceExhausted when the
  // arenas cannot be reserved.
  static Result<std::unique_ptr<PackedBert>> create(const model::BertConfig& config,
                                                    const model::BertWeights& weights,
                                                    Precision precision = Precision::kFp32,
                                                    int threads = 1,
                                                    std::size_t tokens_per_pass = kTokensPerPass);

  // Checks the batch as the reference backend does (same codes and messages), then runs it.
  // Returns num_pairs * num_labels logits in batch order. With at least as many pairs as
  // threads, each thread takes its own group of pairs (pair_groups.h) through the whole
  // encoder; with fewer, the threads share every GEMM and attention over the whole batch.
  Result<std::vector<float>> run(const PackedBatch& batch);

  int threads() const { return threads_; }
  // Bytes the arenas hold: all they will ever hold, reserved at creation and touched only as
  // batches use them (for tests and the activation-memory gauge).
  std::size_t workspace_bytes() const;

 private:
  struct Layer {
    Matmul qkv;               // query, key and value weights concatenated: one GEMM
    Matmul attention_output;  // BertSelfOutput.dense
    Matmul intermediate;      // BertIntermediate.dense with the activation fused
    Matmul output;            // BertOutput.dense
    LayerNormParams attention_norm;
    LayerNormParams output_norm;
  };

  struct ArenaLayout;

  PackedBert(const model::BertConfig& config, const model::BertWeights& weights,
             std::vector<Layer> layers, ClassifierHead head, int threads,
             std::size_t tokens_per_pass);
  // Where each buffer of a run of forward_group on `tokens` tokens of `pairs` pairs, the
  // longest `max_length`, on `threads` threads, sits in its arena.
  ArenaLayout arena_layout(std::size_t tokens, std::size_t pairs, std::int32_t max_length,
                           int threads) const;
  // Attention's shape for pairs of at most `max_length` tokens.
  PackedAttentionShape attention_shape(std::int32_t max_length) const;
  // The most tokens one run of forward_group is given in workspaces_[index].
  std::size_t max_pass_tokens(std::size_t index) const;
  // Reserves every arena for its largest pass; ResourceExhausted when the memory is refused.
  Status reserve_arenas();
  // Splits the batch into groups and runs them, one per thread, or the whole batch on all.
  void forward(const PackedBatch& batch, float* logits);
  // The most tokens one pass on `threads` threads takes: tokens_per_pass_ a thread.
  std::size_t pass_tokens(int threads) const;
  // forward_group on `group` on `threads` threads, in passes of at most pass_tokens(threads)
  // tokens (split_by_tokens into `chunks`), one after another in `workspace`.
  void forward_in_passes(const PairGroup& group, int threads, Workspace& workspace,
                         std::vector<PairGroup>& chunks, float* logits) const;
  // The encoder and head on one group of pairs, on `threads` threads, in `workspace`; logits
  // receives the group's [pairs, num_labels].
  void forward_group(const PairGroup& group, int threads, Workspace& workspace,
                     float* logits) const;
  // BertIntermediate (activation fused into its GEMM), then BertOutput's dense, on `rows` rows
  // of `attention`, into `out`. An int8 intermediate reads the rows' levels from hidden_levels
  // instead, and with an int8 output too passes its result through inner_levels; a GEMM that is
  // not int8 takes its pointer as null.
  void feed_forward(const Layer& layer, std::int64_t rows, const float* attention,
                    const QuantizedRows* hidden_levels, const QuantizedRows* inner_levels,
                    float* intermediate, float* out, void* scratchpad) const;
  // The largest scratch any matmul needs for `rows` token rows.
  std::size_t scratch_bytes(std::int64_t rows) const;

  model::BertConfig config_;
  const model::BertWeights* weights_;
  std::vector<Layer> layers_;
  ClassifierHead head_;
  std::size_t head_scratchpad_bytes_ = 0;  // the classifier head's (its matmuls are fp32)
  int threads_ = 1;
  // Whether every Matmul runs inside a parallel region, so pair groups may run one per thread.
  bool groups_allowed_ = false;
  std::size_t tokens_per_pass_ = kTokensPerPass;
  std::vector<PairGroup> groups_;               // reused across batches
  std::vector<std::vector<PairGroup>> chunks_;  // one per thread: group g's passes
  std::vector<Workspace> workspaces_;           // one per thread: group g runs in workspaces_[g]
  std::vector<std::exception_ptr> failures_;    // one per thread: what group g threw, if anything
};

}  // namespace rerankd::backend::cpu
