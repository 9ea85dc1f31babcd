#include "backend/cuda/device_bert.h"

#include <cstring>
#include <span>
#include <string>
#include <utility>

#include "backend/cuda/cuda_status.h"
#include "backend/cuda/host_dtype.h"
#include "backend/reference/input_checks.h"

namespace rerankd::backend::cuda {
namespace {

constexpr std::size_t kHalfBytes = 2;  // fp16 and bf16 alike

std::size_t aligned(std::size_t bytes) {
  return (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

// The small parameters gathered on the host at aligned offsets, then uploaded in one copy.
class ParameterPack {
 public:
  std::size_t add_16bit(std::span<const float> values, DeviceDType dtype) {
    const auto bits = to_device_bits(values, dtype);
    return append(bits.data(), bits.size() * sizeof(std::uint16_t));
  }
  std::size_t add_fp32(std::span<const float> values) {
    return append(values.data(), values.size_bytes());
  }
  const std::vector<std::byte>& bytes() const { return bytes_; }

 private:
  std::size_t append(const void* data, std::size_t size) {
    const std::size_t offset = aligned(bytes_.size());
    bytes_.resize(offset + size);
    if (size > 0) std::memcpy(bytes_.data() + offset, data, size);
    return offset;
  }
  std::vector<std::byte> bytes_;
};

struct NormOffsets {
  std::size_t gamma = 0;
  std::size_t beta = 0;
};

NormOffsets add_norm(ParameterPack& pack, const model::LayerNormWeights& norm) {
  return {.gamma = pack.add_fp32(norm.gamma.data), .beta = pack.add_fp32(norm.beta.data)};
}

DeviceLayerNorm device_norm(const std::byte* base, NormOffsets offsets, std::int64_t width,
                            float eps) {
  return {.gamma = reinterpret_cast<const float*>(base + offsets.gamma),
          .beta = reinterpret_cast<const float*>(base + offsets.beta),
          .width = static_cast<int>(width),
          .eps = eps};
}

LtEpilogue activation_epilogue(model::HiddenAct act) {
  switch (act) {
    case model::HiddenAct::kGeluErf:
      return LtEpilogue::kBiasGeluErf;
    case model::HiddenAct::kGeluTanh:
      return LtEpilogue::kBiasGeluTanh;
    case model::HiddenAct::kRelu:
      return LtEpilogue::kBiasRelu;
  }
  return LtEpilogue::kBiasGeluErf;
}

Result<LtMatmul> linear_matmul(cublasLtHandle_t handle, DeviceDType dtype,
                               const model::LinearWeights& linear, LtEpilogue epilogue,
                               std::shared_ptr<LtAlgoChoices> choices) {
  return LtMatmul::create(handle, dtype, linear.weight.data, linear.bias.data, linear.weight.dim(0),
                          linear.weight.dim(1), epilogue, std::move(choices));
}

// [3 * hidden, hidden] weight and [3 * hidden] bias: q rows, then k, then v (as the cpu
// backend fuses them), so each output row of the GEMM is q | k | v, the layout
// launch_packed_attention reads.
Result<LtMatmul> fused_qkv_matmul(cublasLtHandle_t handle, DeviceDType dtype,
                                  const model::EncoderLayerWeights& layer,
                                  std::shared_ptr<LtAlgoChoices> choices) {
  std::vector<float> weight;
  std::vector<float> bias;
  for (const auto* linear : {&layer.query, &layer.key, &layer.value}) {
    weight.insert(weight.end(), linear->weight.data.begin(), linear->weight.data.end());
    bias.insert(bias.end(), linear->bias.data.begin(), linear->bias.data.end());
  }
  return LtMatmul::create(handle, dtype, weight, bias, 3 * layer.query.weight.dim(0),
                          layer.query.weight.dim(1), LtEpilogue::kBias, std::move(choices));
}

}  // namespace

ForwardLayout forward_layout(const model::BertConfig& config, std::size_t tokens,
                             std::size_t pairs) {
  const auto hidden = static_cast<std::size_t>(config.hidden_size);
  const auto inner = static_cast<std::size_t>(config.intermediate_size);
  const auto labels = static_cast<std::size_t>(config.num_labels);
  ForwardLayout at;
  auto place = [&at](std::size_t& offset, std::size_t bytes) {
    offset = at.total;
    at.total += aligned(bytes);
  };
  place(at.input_ids, tokens * sizeof(std::int32_t));
  place(at.position_ids, tokens * sizeof(std::int32_t));
  place(at.token_type_ids, tokens * sizeof(std::int32_t));
  place(at.cu_seqlens, (pairs + 1) * sizeof(std::int32_t));
  at.inputs_bytes = at.total;
  place(at.hidden, tokens * hidden * kHalfBytes);
  place(at.qkv, tokens * 3 * hidden * kHalfBytes);
  place(at.context, tokens * hidden * kHalfBytes);
  place(at.attention, tokens * hidden * kHalfBytes);
  place(at.intermediate, tokens * inner * kHalfBytes);
  place(at.pooled, pairs * hidden * sizeof(float));
  place(at.logits, pairs * labels * sizeof(float));
  place(at.workspace, LtMatmul::workspace_bytes());
  return at;
}

Result<std::unique_ptr<DeviceBert>> DeviceBert::create(const model::BertConfig& config,
                                                       const model::BertWeights& weights,
                                                       DeviceDType dtype, cublasLtHandle_t handle) {
  RERANKD_RETURN_IF_ERROR(reference::check_weights(config, weights));
  // The head sizes kernels/packed_attention.cu instantiates; refusing others here makes a model
  // the kernel cannot run Unimplemented at load instead of a launch error on the first batch.
  const std::int64_t head_size = config.head_size();
  if (head_size != 16 && head_size != 32 && head_size != 64 && head_size != 128) {
    return unimplemented("cuda backend: the packed attention kernel has no head size " +
                         std::to_string(head_size) + " (hidden_size " +
                         std::to_string(config.hidden_size) + " / num_attention_heads " +
                         std::to_string(config.num_attention_heads) + "); it has 16, 32, 64, 128");
  }
  std::unique_ptr<DeviceBert> bert(new DeviceBert());
  bert->config_ = config;
  bert->dtype_ = dtype;

  ParameterPack pack;
  const std::size_t word = pack.add_16bit(weights.word_embeddings.data, dtype);
  const std::size_t position = pack.add_16bit(weights.position_embeddings.data, dtype);
  const std::size_t token_type = pack.add_16bit(weights.token_type_embeddings.data, dtype);
  const NormOffsets embedding_norm = add_norm(pack, weights.embedding_norm);
  std::vector<std::pair<NormOffsets, NormOffsets>> layer_norms;

  const LtEpilogue activation = activation_epilogue(config.hidden_act);
  // Every layer's GEMMs have the same four shapes: one timing per shape and bucket serves all.
  const auto choices = std::make_shared<LtAlgoChoices>();
  bert->layers_.reserve(weights.layers.size());
  for (std::size_t i = 0; i < weights.layers.size(); ++i) {
    const auto& w = weights.layers[i];
    auto layer_status = [i](const Status& status) {
      return status.with_context("encoder layer " + std::to_string(i));
    };
    auto qkv = fused_qkv_matmul(handle, dtype, w, choices);
    if (!qkv.ok()) return layer_status(qkv.status());
    auto attention_output =
        linear_matmul(handle, dtype, w.attention_output, LtEpilogue::kBias, choices);
    if (!attention_output.ok()) return layer_status(attention_output.status());
    auto intermediate = linear_matmul(handle, dtype, w.intermediate, activation, choices);
    if (!intermediate.ok()) return layer_status(intermediate.status());
    auto output = linear_matmul(handle, dtype, w.output, LtEpilogue::kBias, choices);
    if (!output.ok()) return layer_status(output.status());
    bert->weight_bytes_ += static_cast<std::size_t>(
        (qkv->out() * qkv->in() + attention_output->out() * attention_output->in() +
         intermediate->out() * intermediate->in() + output->out() * output->in()) *
        static_cast<std::int64_t>(kHalfBytes));
    bert->layers_.push_back(Layer{.qkv = std::move(*qkv),
                                  .attention_output = std::move(*attention_output),
                                  .intermediate = std::move(*intermediate),
                                  .output = std::move(*output),
                                  .attention_norm = {},
                                  .output_norm = {}});
    layer_norms.emplace_back(add_norm(pack, w.attention_norm), add_norm(pack, w.output_norm));
  }
  const std::size_t pooler_weight = pack.add_fp32(weights.pooler.weight.data);
  const std::size_t pooler_bias = pack.add_fp32(weights.pooler.bias.data);
  const std::size_t classifier_weight = pack.add_fp32(weights.classifier.weight.data);
  const std::size_t classifier_bias = pack.add_fp32(weights.classifier.bias.data);

  const auto& bytes = pack.bytes();
  RERANKD_RETURN_IF_ERROR(bert->parameters_.reserve(bytes.size()));
  RERANKD_CUDA_RETURN_IF_ERROR(
      cudaMemcpy(bert->parameters_.data(), bytes.data(), bytes.size(), cudaMemcpyHostToDevice),
      "copying the embedding tables and norms to the device");
  bert->weight_bytes_ += bytes.size();

  const auto* base = static_cast<const std::byte*>(bert->parameters_.data());
  const float eps = config.layer_norm_eps;
  bert->word_embeddings_ = base + word;
  bert->position_embeddings_ = base + position;
  bert->token_type_embeddings_ = base + token_type;
  bert->embedding_norm_ = device_norm(base, embedding_norm, config.hidden_size, eps);
  for (std::size_t i = 0; i < bert->layers_.size(); ++i) {
    bert->layers_[i].attention_norm =
        device_norm(base, layer_norms[i].first, config.hidden_size, eps);
    bert->layers_[i].output_norm =
        device_norm(base, layer_norms[i].second, config.hidden_size, eps);
  }
  bert->head_ = DeviceClassifierHead{
      .pooler_weight = reinterpret_cast<const float*>(base + pooler_weight),
      .pooler_bias = reinterpret_cast<const float*>(base + pooler_bias),
      .classifier_weight = reinterpret_cast<const float*>(base + classifier_weight),
      .classifier_bias = reinterpret_cast<const float*>(base + classifier_bias),
      .width = static_cast<int>(config.hidden_size),
      .num_labels = static_cast<int>(config.num_labels)};
  return bert;
}

// The arena's buffers for one forward pass.
struct DeviceBert::Buffers {
  const std::int32_t* cu_seqlens = nullptr;
  void* state = nullptr;         // [tokens, hidden]
  void* qkv = nullptr;           // [tokens, 3 * hidden]
  void* context = nullptr;       // [tokens, hidden]
  void* attention = nullptr;     // [tokens, hidden]
  void* intermediate = nullptr;  // [tokens, intermediate]
  void* workspace = nullptr;     // cuBLASLt's, shared by GEMMs that run one after another
};

// BertSelfAttention: one GEMM for q | k | v, then attention per (pair, head) into context.
Status DeviceBert::enqueue_self_attention(const Layer& layer, const Buffers& at, std::int64_t rows,
                                          const PackedAttentionShape& shape,
                                          cudaStream_t stream) const {
  RERANKD_RETURN_IF_ERROR(layer.qkv.run(at.state, rows, at.qkv, at.workspace, stream));
  RERANKD_CUDA_RETURN_IF_ERROR(
      launch_packed_attention(dtype_, at.qkv, at.cu_seqlens, shape, at.context, stream),
      "launch_packed_attention");
  return Status::ok_status();
}

// Everything after attention, on `rows` rows: BertSelfOutput, LayerNorm(dense(context) +
// residual) into `attention`; then BertIntermediate (activation in the epilogue) and BertOutput,
// LayerNorm(dense(intermediate) + attention) into `out`.
Status DeviceBert::enqueue_dense_part(const Layer& layer, const void* context, const void* residual,
                                      void* attention, void* intermediate, void* out,
                                      std::int64_t rows, void* workspace,
                                      cudaStream_t stream) const {
  const int norm_rows = static_cast<int>(rows);
  RERANKD_RETURN_IF_ERROR(layer.attention_output.run(context, rows, attention, workspace, stream));
  RERANKD_CUDA_RETURN_IF_ERROR(
      launch_add_layer_norm(dtype_, attention, residual, norm_rows, layer.attention_norm, stream),
      "launch_add_layer_norm (attention output)");
  RERANKD_RETURN_IF_ERROR(layer.intermediate.run(attention, rows, intermediate, workspace, stream));
  RERANKD_RETURN_IF_ERROR(layer.output.run(intermediate, rows, out, workspace, stream));
  RERANKD_CUDA_RETURN_IF_ERROR(
      launch_add_layer_norm(dtype_, out, attention, norm_rows, layer.output_norm, stream),
      "launch_add_layer_norm (output)");
  return Status::ok_status();
}

Status DeviceBert::enqueue_forward(const ForwardArgs& args, cudaStream_t stream) const {
  // The last layer's compact [CLS] rows live in token-sized buffers (refused before any launch).
  if (args.pairs > args.tokens) {
    return invalid_argument("cuda backend: " + std::to_string(args.pairs) + " pairs but only " +
                            std::to_string(args.tokens) + " token rows");
  }
  const ForwardLayout& layout = args.layout;
  std::byte* arena = args.arena;
  const auto* input_ids = reinterpret_cast<const std::int32_t*>(arena + layout.input_ids);
  const auto* position_ids = reinterpret_cast<const std::int32_t*>(arena + layout.position_ids);
  const auto* token_type_ids = reinterpret_cast<const std::int32_t*>(arena + layout.token_type_ids);
  const Buffers at{.cu_seqlens = reinterpret_cast<const std::int32_t*>(arena + layout.cu_seqlens),
                   .state = arena + layout.hidden,
                   .qkv = arena + layout.qkv,
                   .context = arena + layout.context,
                   .attention = arena + layout.attention,
                   .intermediate = arena + layout.intermediate,
                   .workspace = arena + layout.workspace};
  auto* pooled = reinterpret_cast<float*>(arena + layout.pooled);
  auto* logits = reinterpret_cast<float*>(arena + layout.logits);
  const std::int64_t rows = args.tokens;

  RERANKD_CUDA_RETURN_IF_ERROR(
      launch_embed_layer_norm(dtype_, input_ids, position_ids, token_type_ids, args.tokens,
                              word_embeddings_, position_embeddings_, token_type_embeddings_,
                              embedding_norm_, at.state, stream),
      "launch_embed_layer_norm");
  const PackedAttentionShape attention_shape{
      .num_pairs = args.pairs,
      .num_heads = static_cast<int>(config_.num_attention_heads),
      .head_size = static_cast<int>(config_.head_size()),
      .max_length = args.max_length};
  if (layers_.empty()) {
    RERANKD_CUDA_RETURN_IF_ERROR(launch_classifier_head(dtype_, at.state, at.cu_seqlens, args.pairs,
                                                        head_, pooled, logits, stream),
                                 "launch_classifier_head");
    return Status::ok_status();
  }
  // Every layer but the last on all tokens, overwriting the hidden state.
  for (std::size_t i = 0; i + 1 < layers_.size(); ++i) {
    RERANKD_RETURN_IF_ERROR(enqueue_self_attention(layers_[i], at, rows, attention_shape, stream));
    RERANKD_RETURN_IF_ERROR(enqueue_dense_part(layers_[i], at.context, at.state, at.attention,
                                               at.intermediate, at.state, rows, at.workspace,
                                               stream));
  }
  // The last layer: its keys and values need every token, but only the [CLS] rows reach the
  // head, so past attention it runs on one row a pair (graph buckets keep more token rows than
  // pairs too, so the check at the top holds for them). Attention itself still
  // computes every query row: at MS MARCO lengths it is a few percent of the layer.
  const Layer& last = layers_.back();
  RERANKD_RETURN_IF_ERROR(enqueue_self_attention(last, at, rows, attention_shape, stream));
  const int width = static_cast<int>(config_.hidden_size);
  void* cls_context = at.attention;
  void* cls_residual = at.qkv;  // free once attention has read q | k | v
  RERANKD_CUDA_RETURN_IF_ERROR(
      launch_gather_cls_rows(at.context, at.cu_seqlens, args.pairs, width, cls_context, stream),
      "launch_gather_cls_rows (context)");
  RERANKD_CUDA_RETURN_IF_ERROR(
      launch_gather_cls_rows(at.state, at.cu_seqlens, args.pairs, width, cls_residual, stream),
      "launch_gather_cls_rows (residual)");
  RERANKD_RETURN_IF_ERROR(enqueue_dense_part(last, cls_context, cls_residual, at.context,
                                             at.intermediate, at.state, args.pairs, at.workspace,
                                             stream));
  RERANKD_CUDA_RETURN_IF_ERROR(
      launch_classifier_head(dtype_, at.state, nullptr, args.pairs, head_, pooled, logits, stream),
      "launch_classifier_head");
  return Status::ok_status();
}

}  // namespace rerankd::backend::cuda
