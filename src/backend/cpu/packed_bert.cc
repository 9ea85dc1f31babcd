#include "backend/cpu/packed_bert.h"

#include <omp.h>

#include <algorithm>
#include <exception>
#include <new>
#include <string>

#include "backend/cpu/attention.h"
#include "backend/cpu/embeddings.h"
#include "backend/cpu/quantize.h"
#include "backend/reference/input_checks.h"

namespace rerankd::backend::cpu {
namespace {

Epilogue epilogue_for(model::HiddenAct act) {
  switch (act) {
    case model::HiddenAct::kGeluErf:
      return Epilogue::kGeluErf;
    case model::HiddenAct::kGeluTanh:
      return Epilogue::kGeluTanh;
    case model::HiddenAct::kRelu:
      return Epilogue::kRelu;
  }
  return Epilogue::kGeluErf;
}

LayerNormParams norm_params(const model::LayerNormWeights& norm, float eps) {
  return {.gamma = norm.gamma.data.data(),
          .beta = norm.beta.data.data(),
          .width = norm.gamma.numel(),
          .eps = eps};
}

Result<Matmul> linear_matmul(const model::LinearWeights& linear, Epilogue epilogue,
                             Precision precision, int threads) {
  return Matmul::create(linear.weight.data, linear.bias.data, linear.weight.dim(0),
                        linear.weight.dim(1), epilogue, precision, kChunkRows, threads);
}

// [3 * hidden, hidden] weight and [3 * hidden] bias: q rows, then k, then v, so each output row
// of the fused GEMM is q | k | v, the layout packed_attention reads.
Result<Matmul> fused_qkv_matmul(const model::EncoderLayerWeights& layer, Precision precision,
                                int threads) {
  std::vector<float> weight;
  std::vector<float> bias;
  for (const auto* linear : {&layer.query, &layer.key, &layer.value}) {
    weight.insert(weight.end(), linear->weight.data.begin(), linear->weight.data.end());
    bias.insert(bias.end(), linear->bias.data.begin(), linear->bias.data.end());
  }
  const std::int64_t hidden = layer.query.weight.dim(1);
  return Matmul::create(weight, bias, 3 * layer.query.weight.dim(0), hidden, Epilogue::kNone,
                        precision, kChunkRows, threads);
}

// The precision of each layer's intermediate GEMM (the feed-forward's first, hidden -> inner)
// when the others run `precision`. In int8 it stays wider: bf16 where this CPU has bf16
// matmuls, fp32 otherwise. Its input, the attention LayerNorm's output, loses the most to u8
// levels per token: on the trained stand-in cross-encoder (issue 14, 120 held-out MS MARCO
// queries against cpu fp32, AVX-512 VNNI) every GEMM in int8 gave a mean Kendall tau of 0.978;
// keeping one family wider gave qkv 0.981, attention output 0.978, output 0.984 (MRR@10 moved
// by 0.008), intermediate 0.984 in fp32 and 0.985 in bf16 (MRR@10 within 0.0001).
Precision intermediate_precision(Precision precision) {
  if (precision != Precision::kInt8) return precision;
  return check_precision(Precision::kBf16).ok() ? Precision::kBf16 : Precision::kFp32;
}

// The precision of each layer's output GEMM (the feed-forward's second, inner -> hidden). Where
// int8 weights keep 7 bits (no VNNI, see int8_weight_levels) it stays wide as well: with 7-bit
// weights and only the intermediate wide, the same measurement (oneDNN capped at AVX2) gave
// tau 0.972 and max |diff| 0.150; with the output wide too, 0.988 and 0.089 (MRR@10 0.2588
// against 0.2607), at no measurable cost in speed there (102 against 109 pairs/s, noise).
Precision output_precision(Precision precision) {
  if (precision != Precision::kInt8 || int8_weight_levels() >= 127) return precision;
  return intermediate_precision(precision);
}

// The QuantizedRows of `tokens` rows placed at these arena offsets (levels, then scales and
// zero points).
QuantizedRows levels_at(std::byte* arena, std::size_t levels, std::size_t scales,
                        std::size_t tokens) {
  auto* const row_scales = reinterpret_cast<float*>(arena + scales);
  return {.levels = reinterpret_cast<std::uint8_t*>(arena + levels),
          .scales = row_scales,
          .zero_points = row_scales + tokens};
}

}  // namespace

// Where each buffer of one batch sits in the arena (byte offsets).
struct PackedBert::ArenaLayout {
  std::size_t hidden = 0;        // [tokens, hidden]: the running hidden state
  std::size_t qkv = 0;           // [tokens, 3 * hidden]
  std::size_t context = 0;       // [tokens, hidden]: attention output before its dense
  std::size_t attention = 0;     // [tokens, hidden]: after dense + residual + LayerNorm
  std::size_t intermediate = 0;  // [tokens, intermediate]
  std::size_t cls = 0;           // [pairs, hidden]
  std::size_t pooled = 0;        // [pairs, hidden]
  std::size_t scores = 0;        // threads x attention_scratch_floats
  // int8 only: LayerNorm outputs and the activated intermediate as u8 levels, quantised by
  // their producers (QuantizedRows), rows padded to the matmuls' smallest chunk.
  std::size_t hidden_levels = 0;
  std::size_t hidden_scales = 0;  // [tokens] scales, then [tokens] zero points
  std::size_t inner_levels = 0;
  std::size_t inner_scales = 0;
  std::size_t scratchpad = 0;  // oneDNN's scratchpad
  std::size_t total = 0;
  // What the layout was computed from, for the pass that uses it.
  std::size_t score_floats = 0;  // of `scores`
  bool int8 = false;
  std::size_t padded_tokens = 0;  // tokens rounded up to the GEMMs' smallest chunk (int8)
};

Result<std::unique_ptr<PackedBert>> PackedBert::create(const model::BertConfig& config,
                                                       const model::BertWeights& weights,
                                                       Precision precision, int threads,
                                                       std::size_t tokens_per_pass) {
  RERANKD_RETURN_IF_ERROR(reference::check_weights(config, weights));
  RERANKD_RETURN_IF_ERROR(check_precision(precision));
  threads = std::max(threads, 1);
  const Epilogue activation = epilogue_for(config.hidden_act);
  std::vector<Layer> layers;
  layers.reserve(weights.layers.size());
  for (const auto& w : weights.layers) {
    RERANKD_ASSIGN_OR_RETURN(auto qkv, fused_qkv_matmul(w, precision, threads));
    // The last layer's GEMMs after attention run on the [CLS] rows alone (see forward_group):
    // too few rows to matter for speed, so they stay fp32 and add no quantisation error.
    const Precision tail = &w == &weights.layers.back() ? Precision::kFp32 : precision;
    RERANKD_ASSIGN_OR_RETURN(auto attention_output,
                             linear_matmul(w.attention_output, Epilogue::kNone, tail, threads));
    RERANKD_ASSIGN_OR_RETURN(
        auto intermediate,
        linear_matmul(w.intermediate, activation, intermediate_precision(tail), threads));
    RERANKD_ASSIGN_OR_RETURN(
        auto output, linear_matmul(w.output, Epilogue::kNone, output_precision(tail), threads));
    layers.push_back(Layer{.qkv = std::move(qkv),
                           .attention_output = std::move(attention_output),
                           .intermediate = std::move(intermediate),
                           .output = std::move(output),
                           .attention_norm = norm_params(w.attention_norm, config.layer_norm_eps),
                           .output_norm = norm_params(w.output_norm, config.layer_norm_eps)});
  }
  RERANKD_ASSIGN_OR_RETURN(auto head, ClassifierHead::create(weights, threads));
  std::unique_ptr<PackedBert> bert(new PackedBert(config, weights, std::move(layers),
                                                  std::move(head), threads,
                                                  std::max<std::size_t>(tokens_per_pass, 1)));
  RERANKD_RETURN_IF_ERROR(bert->reserve_arenas());
  return bert;
}

PackedBert::PackedBert(const model::BertConfig& config, const model::BertWeights& weights,
                       std::vector<Layer> layers, ClassifierHead head, int threads,
                       std::size_t tokens_per_pass)
    : config_(config),
      weights_(&weights),
      layers_(std::move(layers)),
      head_(std::move(head)),
      head_scratchpad_bytes_(head_.scratchpad_bytes()),
      threads_(threads),
      groups_allowed_(head_.runs_in_parallel_regions()),
      tokens_per_pass_(tokens_per_pass),
      chunks_(static_cast<std::size_t>(threads)),
      workspaces_(static_cast<std::size_t>(threads)),
      failures_(static_cast<std::size_t>(threads)) {
  for (const Layer& layer : layers_) {
    for (const Matmul* matmul :
         {&layer.qkv, &layer.attention_output, &layer.intermediate, &layer.output}) {
      groups_allowed_ = groups_allowed_ && matmul->runs_in_parallel_regions();
    }
  }
}

Status PackedBert::reserve_arenas() {
  // Every arena at its bound now: untouched pages cost no memory until a batch uses them, and
  // a later batch never reallocates (and never grows the process) whatever its size.
  const auto longest = static_cast<std::int32_t>(config_.max_sequence_length());
  std::size_t total = 0;
  try {
    for (std::size_t index = 0; index < workspaces_.size(); ++index) {
      const std::size_t tokens = max_pass_tokens(index);
      const int threads_on_it = index == 0 ? threads_ : 1;
      const std::size_t bytes = arena_layout(tokens, tokens, longest, threads_on_it).total;
      total += bytes;
      workspaces_[index].reserve(bytes);
    }
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kResourceExhausted,
                  "cpu backend: cannot reserve " + std::to_string(total) +
                      " bytes of activation memory (passes of " + std::to_string(tokens_per_pass_) +
                      " tokens on " + std::to_string(threads_) + " threads)");
  }
  return Status::ok_status();
}

std::size_t PackedBert::max_pass_tokens(std::size_t index) const {
  const auto longest = static_cast<std::size_t>(config_.max_sequence_length());
  const auto team = static_cast<std::size_t>(threads_);
  std::size_t tokens = pass_tokens(1);  // a group's pass on its own thread
  if (index == 0) {
    // Workspace 0 also runs the batches the threads share, in passes of tokens_per_pass_ each:
    // any batch when groups are not allowed, else only one of fewer pairs than threads.
    std::size_t shared = pass_tokens(threads_);
    if (groups_allowed_) shared = std::min(shared, (team - 1) * longest);
    tokens = std::max(tokens, shared);
  }
  return std::max(tokens, longest);  // a pair longer than a pass runs alone
}

std::size_t PackedBert::workspace_bytes() const {
  std::size_t bytes = 0;
  for (const Workspace& workspace : workspaces_) bytes += workspace.capacity();
  return bytes;
}

std::size_t PackedBert::scratch_bytes(std::int64_t rows) const {
  std::size_t bytes = head_scratchpad_bytes_;
  for (const auto& layer : layers_) {
    for (const Matmul* matmul :
         {&layer.qkv, &layer.attention_output, &layer.intermediate, &layer.output}) {
      bytes = std::max(bytes, matmul->scratch_bytes(rows));
    }
  }
  return bytes;
}

Result<std::vector<float>> PackedBert::run(const PackedBatch& batch) {
  RERANKD_RETURN_IF_ERROR(reference::check_batch(config_, batch));
  std::vector<float> logits(batch.num_pairs() * static_cast<std::size_t>(config_.num_labels));
  if (batch.num_pairs() == 0) return logits;
  try {
    forward(batch, logits.data());
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kResourceExhausted,
                  "cpu backend: out of memory for a batch of " + std::to_string(batch.num_pairs()) +
                      " pairs, " + std::to_string(batch.num_tokens()) + " tokens");
  } catch (const std::exception& error) {
    return internal_error(std::string("cpu backend: ") + error.what());
  }
  return logits;
}

void PackedBert::feed_forward(const Layer& layer, std::int64_t rows, const float* attention,
                              const QuantizedRows* hidden_levels, const QuantizedRows* inner_levels,
                              float* intermediate, float* out, void* scratchpad) const {
  const bool int8_in = hidden_levels != nullptr;
  const bool int8_out = inner_levels != nullptr;
  if (int8_in && int8_out) {
    // Both int8: the intermediate's activated rows go straight to levels for the output GEMM.
    layer.intermediate.run_quantized(*hidden_levels, rows, intermediate, scratchpad, inner_levels);
    layer.output.run_quantized(*inner_levels, rows, out, scratchpad);
    return;
  }
  if (int8_in) {
    layer.intermediate.run_quantized(*hidden_levels, rows, intermediate, scratchpad);
  } else {
    layer.intermediate.run(attention, rows, intermediate, scratchpad);
  }
  layer.output.run(intermediate, rows, out, scratchpad);  // an int8 output quantises its input
}

void PackedBert::forward(const PackedBatch& batch, float* logits) {
  // oneDNN's Debian build runs on OpenMP, which sizes each parallel region from the calling
  // thread's nthreads ICV: set here, it bounds our own loops as the Matmuls' creation bounds
  // the GEMMs, and it is per thread, so another backend on another thread keeps its own count.
  omp_set_num_threads(threads_);
  const auto labels = static_cast<std::size_t>(config_.num_labels);
  const std::size_t pairs = batch.num_pairs();
  // A group per thread needs a pair per thread; a smaller batch shares each GEMM instead.
  const auto team = static_cast<std::size_t>(threads_);
  const std::size_t count = groups_allowed_ && pairs >= team ? team : 1;
  split_into_groups(batch, count, groups_);
  if (count == 1) {
    forward_in_passes(groups_.front(), threads_, workspaces_.front(), chunks_.front(), logits);
    return;
  }
  // An exception must not leave a parallel region: each group keeps its own, rethrown after.
  std::fill(failures_.begin(), failures_.end(), nullptr);
  const int group_threads = static_cast<int>(count);
#pragma omp parallel for schedule(static, 1) num_threads(group_threads)
  for (std::size_t g = 0; g < count; ++g) {
    try {
      forward_in_passes(groups_[g], 1, workspaces_[g], chunks_[g],
                        logits + groups_[g].first_pair * labels);
    } catch (...) {
      failures_[g] = std::current_exception();
    }
  }
  for (const std::exception_ptr& failure : failures_) {
    if (failure) std::rethrow_exception(failure);
  }
}

std::size_t PackedBert::pass_tokens(int threads) const {
  return tokens_per_pass_ * static_cast<std::size_t>(threads);
}

void PackedBert::forward_in_passes(const PairGroup& group, int threads, Workspace& workspace,
                                   std::vector<PairGroup>& chunks, float* logits) const {
  const auto labels = static_cast<std::size_t>(config_.num_labels);
  const std::size_t passes = split_by_tokens(group, pass_tokens(threads), chunks);
  for (std::size_t pass = 0; pass < passes; ++pass) {
    const PairGroup& chunk = chunks[pass];
    forward_group(chunk, threads, workspace,
                  logits + (chunk.first_pair - group.first_pair) * labels);
  }
}

PackedAttentionShape PackedBert::attention_shape(std::int32_t max_length) const {
  return {.num_heads = config_.num_attention_heads,
          .head_size = config_.head_size(),
          .max_length = max_length};
}

PackedBert::ArenaLayout PackedBert::arena_layout(std::size_t tokens, std::size_t pairs,
                                                 std::int32_t max_length, int threads) const {
  const auto hidden = static_cast<std::size_t>(config_.hidden_size);
  const auto inner = static_cast<std::size_t>(config_.intermediate_size);
  const std::size_t score_floats =
      attention_scratch_floats(attention_shape(max_length)) * static_cast<std::size_t>(threads);
  ArenaLayout at;
  auto place = [&at](std::size_t& offset, std::size_t bytes) {
    offset = at.total;
    at.total += bytes;
  };
  place(at.hidden, Workspace::aligned_floats(tokens * hidden));
  place(at.qkv, Workspace::aligned_floats(tokens * 3 * hidden));
  place(at.context, Workspace::aligned_floats(tokens * hidden));
  place(at.attention, Workspace::aligned_floats(tokens * hidden));
  place(at.intermediate, Workspace::aligned_floats(tokens * inner));
  place(at.cls, Workspace::aligned_floats(pairs * hidden));
  place(at.pooled, Workspace::aligned_floats(pairs * hidden));
  place(at.scores, Workspace::aligned_floats(score_floats));
  at.score_floats = score_floats;
  at.int8 = !layers_.empty() && layers_.front().qkv.precision() == Precision::kInt8;
  at.padded_tokens = at.int8 ? static_cast<std::size_t>(layers_.front().qkv.padded_rows(
                                   static_cast<std::int64_t>(tokens)))
                             : tokens;
  const std::size_t padded_tokens = at.padded_tokens;
  if (at.int8) {
    place(at.hidden_levels, Workspace::aligned_floats((padded_tokens * hidden + 3) / 4));
    place(at.hidden_scales, Workspace::aligned_floats(2 * tokens));
    place(at.inner_levels, Workspace::aligned_floats((padded_tokens * inner + 3) / 4));
    place(at.inner_scales, Workspace::aligned_floats(2 * tokens));
  }
  // oneDNN's scratchpad, and for bf16 / int8 the converted activations (and row scales).
  place(at.scratchpad,
        (scratch_bytes(static_cast<std::int64_t>(tokens)) + Workspace::kAlignment - 1) /
            Workspace::kAlignment * Workspace::kAlignment);
  return at;
}

void PackedBert::forward_group(const PairGroup& batch, int threads, Workspace& workspace,
                               float* logits) const {
  const auto tokens = static_cast<std::size_t>(batch.num_tokens());
  const auto pairs = batch.num_pairs();
  const auto hidden = static_cast<std::size_t>(config_.hidden_size);
  const auto inner = static_cast<std::size_t>(config_.intermediate_size);
  const PackedAttentionShape attention_shape = this->attention_shape(batch.max_length);
  const ArenaLayout at = arena_layout(tokens, pairs, batch.max_length, threads);
  const std::size_t score_floats = at.score_floats;
  const bool int8 = at.int8;
  const std::size_t padded_tokens = at.padded_tokens;
  std::byte* arena = workspace.reserve(at.total);
  auto floats = [arena](std::size_t offset) { return reinterpret_cast<float*>(arena + offset); };
  float* state = floats(at.hidden);
  float* qkv = floats(at.qkv);
  float* context = floats(at.context);
  float* attention = floats(at.attention);
  float* intermediate = floats(at.intermediate);
  void* scratchpad = arena + at.scratchpad;
  const auto rows = static_cast<std::int64_t>(tokens);

  const model::BertWeights& w = *weights_;
  const EmbeddingTables tables{.word = w.word_embeddings.data.data(),
                               .position = w.position_embeddings.data.data(),
                               .token_type = w.token_type_embeddings.data.data(),
                               .norm = norm_params(w.embedding_norm, config_.layer_norm_eps)};
  embed_packed(tables, batch.input_ids, batch.token_type_ids, batch.cu_seqlens, state);

  // int8: the LayerNorms quantise their outputs for the next int8 GEMM (the QKV of the next
  // layer; the intermediate, were it int8) and an int8 intermediate its activated output for the
  // output GEMM, so those GEMM inputs take no pass of their own. The embeddings' output is
  // quantised by the first QKV, a wider intermediate's output by the output GEMM.
  QuantizedRows hidden_levels;
  QuantizedRows inner_levels;
  if (int8) {
    hidden_levels = levels_at(arena, at.hidden_levels, at.hidden_scales, tokens);
    inner_levels = levels_at(arena, at.inner_levels, at.inner_scales, tokens);
    // The padding rows the last chunk of a GEMM reads: zero, as Matmul::run_quantized needs.
    std::fill(hidden_levels.levels + tokens * hidden, hidden_levels.levels + padded_tokens * hidden,
              std::uint8_t{0});
    std::fill(inner_levels.levels + tokens * inner, inner_levels.levels + padded_tokens * inner,
              std::uint8_t{0});
  }
  // Every layer but the last on all tokens.
  const std::size_t full_layers = layers_.empty() ? 0 : layers_.size() - 1;
  for (std::size_t i = 0; i < full_layers; ++i) {
    const Layer& layer = layers_[i];
    // BertSelfAttention: one GEMM for q | k | v, then attention per (pair, head).
    if (int8 && i > 0) {
      layer.qkv.run_quantized(hidden_levels, rows, qkv, scratchpad);
    } else {
      layer.qkv.run(state, rows, qkv, scratchpad);
    }
    packed_attention(qkv, batch.cu_seqlens, attention_shape, context,
                     {floats(at.scores), score_floats}, threads);
    // BertSelfOutput: LayerNorm(dense(context) + input).
    layer.attention_output.run(context, rows, attention, scratchpad);
    const bool int8_intermediate = layer.intermediate.precision() == Precision::kInt8;
    const bool int8_output = int8_intermediate && layer.output.precision() == Precision::kInt8;
    add_layer_norm(attention, state, rows, layer.attention_norm,
                   int8_intermediate ? &hidden_levels : nullptr);
    // BertOutput: LayerNorm(dense(intermediate) + attention), overwriting the layer's input.
    feed_forward(layer, rows, attention, int8_intermediate ? &hidden_levels : nullptr,
                 int8_output ? &inner_levels : nullptr, intermediate, state, scratchpad);
    add_layer_norm(state, attention, rows, layer.output_norm, int8 ? &hidden_levels : nullptr);
  }
  if (layers_.empty()) {
    head_.run(state, batch.cu_seqlens, floats(at.cls), floats(at.pooled), logits, scratchpad);
    return;
  }

  // The last layer. Its keys and values need every token, but only the [CLS] rows reach the
  // head (BertPooler reads hidden_states[:, 0]), so attention computes one query row per pair
  // and everything after it runs on `pairs` rows instead of `tokens`, in fp32 whatever the
  // precision (create makes those GEMMs fp32).
  const Layer& layer = layers_.back();
  const auto cls_rows = static_cast<std::int64_t>(pairs);
  if (int8 && full_layers > 0) {
    layer.qkv.run_quantized(hidden_levels, rows, qkv, scratchpad);
  } else {
    layer.qkv.run(state, rows, qkv, scratchpad);
  }
  PackedAttentionShape cls_shape = attention_shape;
  cls_shape.cls_only = true;
  packed_attention(qkv, batch.cu_seqlens, cls_shape, context, {floats(at.scores), score_floats},
                   threads);
  // The residual, each pair's [CLS] row of the layer's input, goes where q | k | v was.
  float* const residual = qkv;
  gather_cls_rows(state, batch.cu_seqlens, config_.hidden_size, residual);
  layer.attention_output.run(context, cls_rows, attention, scratchpad);
  add_layer_norm(attention, residual, cls_rows, layer.attention_norm);
  feed_forward(layer, cls_rows, attention, nullptr, nullptr, intermediate, state, scratchpad);
  add_layer_norm(state, attention, cls_rows, layer.output_norm);
  head_.run_on_cls_rows(state, cls_rows, floats(at.pooled), logits, scratchpad);
}

}  // namespace rerankd::backend::cpu
