#include "backend/cuda/cuda_backend.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "backend/cuda/cuda_status.h"
#include "backend/cuda/device_bert.h"
#include "backend/cuda/device_memory.h"
#include "backend/cuda/graph_cache.h"
#include "backend/cuda/graph_shape.h"
#include "backend/cuda/lt_matmul.h"
#include "backend/reference/input_checks.h"

namespace rerankd::backend::cuda {
namespace {

struct StreamDeleter {
  void operator()(cudaStream_t stream) const {
    if (stream != nullptr) cudaStreamDestroy(stream);
  }
};
using Stream = std::unique_ptr<CUstream_st, StreamDeleter>;

// Pinned staging: the inputs block exactly as the device arena lays it out, then the logits.
struct StagingLayout {
  std::size_t logits = 0;
  std::size_t total = 0;
};

StagingLayout staging_layout(const ForwardLayout& layout, std::size_t logits_bytes) {
  const std::size_t logits =
      (layout.inputs_bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
  return {.logits = logits, .total = logits + logits_bytes};
}

// One forward pass as the device sees it: its (possibly padded) shape and where everything
// lives in the arena and the staging buffer.
struct ForwardPlan {
  ForwardShape shape;
  ForwardLayout layout;
  StagingLayout staging;
  std::size_t logits_bytes = 0;  // of all shape.pairs, padded ones included
};

// Unset, or anything but 0 / off / false, leaves graphs on.
std::optional<std::string> graphs_switched_off() {
  const char* value = std::getenv(kCudaGraphsEnv);
  if (value == nullptr) return std::nullopt;
  const std::string_view text(value);
  if (text == "0" || text == "off" || text == "false") {
    return std::string(kCudaGraphsEnv) + "=" + value;
  }
  return std::nullopt;
}

// The batch's shape, within what the kernels can launch: pairs within the attention grid,
// tokens within int indexing (reference::check_batch has already held each pair to the
// model's position table). The batch's own max_length is not trusted: the attention kernel
// sizes its grid from it.
Result<ForwardShape> device_shape(const PackedBatch& batch) {
  const std::size_t pairs = batch.num_pairs();
  const std::size_t tokens = batch.num_tokens();
  if (pairs > kMaxPairsPerBatch) {
    return out_of_range("cuda backend: a batch of " + std::to_string(pairs) + " pairs; at most " +
                        std::to_string(kMaxPairsPerBatch) + " per batch");
  }
  if (tokens > static_cast<std::size_t>(INT_MAX)) {
    return out_of_range("cuda backend: a batch of " + std::to_string(tokens) +
                        " tokens is more than one launch can index");
  }
  std::int32_t max_length = 0;
  for (std::size_t pair = 0; pair < pairs; ++pair) {
    max_length = std::max(max_length, batch.length(pair));
  }
  return ForwardShape{.tokens = static_cast<int>(tokens),
                      .pairs = static_cast<int>(pairs),
                      .max_length = max_length};
}

class CudaBackend final : public Backend {
 public:
  CudaBackend(int device, DeviceDType dtype, model::BertConfig config, Stream stream, LtHandle lt,
              std::unique_ptr<DeviceBert> bert, std::optional<std::string> graphs_off)
      : device_(device),
        dtype_(dtype),
        config_(std::move(config)),
        stream_(std::move(stream)),
        lt_(std::move(lt)),
        bert_(std::move(bert)),
        graphs_(kMaxCudaGraphs) {
    stats_.enabled = !graphs_off.has_value();
    stats_.disabled_reason = graphs_off.value_or("");
  }

  Result<std::vector<float>> run(const PackedBatch& batch) override {
    RERANKD_RETURN_IF_ERROR(reference::check_batch(config_, batch));
    const auto labels = static_cast<std::size_t>(config_.num_labels);
    std::vector<float> logits(batch.num_pairs() * labels);
    if (batch.num_pairs() == 0) return logits;
    RERANKD_ASSIGN_OR_RETURN(const ForwardShape exact, device_shape(batch));
    const std::optional<ForwardShape> bucket = graph_bucket(exact);

    // The engine may drive this backend from a thread other than the one that created it, and
    // the current device is per thread.
    RERANKD_CUDA_RETURN_IF_ERROR(cudaSetDevice(device_), "cudaSetDevice");
    const ForwardPlan plan = plan_for(bucket.value_or(exact));
    RERANKD_RETURN_IF_ERROR(reserve(plan));
    auto* host = static_cast<std::byte*>(staging_.data());
    stage_inputs(batch, plan.shape, plan.layout, host);
    RERANKD_RETURN_IF_ERROR(bucket ? run_bucket(plan) : run_eager(plan));
    std::memcpy(logits.data(), host + plan.staging.logits, logits.size() * sizeof(float));
    return logits;
  }

  BackendInfo info() const override {
    return BackendInfo{.name = "cuda",
                       .dtype = dtype_name(dtype_),
                       .device = "cuda:" + std::to_string(device_),
                       .threads = 1};
  }

  CudaGraphStats graph_stats() const {
    CudaGraphStats stats = stats_;
    stats.cached = graphs_.size();
    return stats;
  }

 private:
  // The padded shape to run `exact` as under a graph, or nullopt for the plain eager path:
  // graphs off, or a full cache without this bucket (padding would then buy nothing).
  std::optional<ForwardShape> graph_bucket(const ForwardShape& exact) const {
    if (!stats_.enabled) return std::nullopt;
    const std::optional<ForwardShape> bucket =
        graph_shape_for(exact, static_cast<int>(kMaxPairsPerBatch), max_sequence_length());
    if (bucket && graphs_.full() && graphs_.find(*bucket) == nullptr) return std::nullopt;
    return bucket;
  }

  int max_sequence_length() const { return static_cast<int>(config_.max_sequence_length()); }

  ForwardPlan plan_for(const ForwardShape& shape) const {
    const auto pairs = static_cast<std::size_t>(shape.pairs);
    const ForwardLayout layout =
        forward_layout(config_, static_cast<std::size_t>(shape.tokens), pairs);
    const std::size_t logits_bytes =
        pairs * static_cast<std::size_t>(config_.num_labels) * sizeof(float);
    return ForwardPlan{.shape = shape,
                       .layout = layout,
                       .staging = staging_layout(layout, logits_bytes),
                       .logits_bytes = logits_bytes};
  }

  // Grow-only: after the largest batch, nothing is allocated here. (Growth frees the old
  // block, which synchronizes the device; no work of ours is in flight between runs.) Graphs
  // hold the old addresses, so growth drops them.
  Status reserve(const ForwardPlan& plan) {
    const bool arena_grows = plan.layout.total > arena_.capacity();
    if (arena_grows || plan.staging.total > staging_.capacity()) graphs_.clear();
    RERANKD_RETURN_IF_ERROR(arena_.reserve(plan.layout.total).with_context("cuda backend arena"));
    RERANKD_RETURN_IF_ERROR(
        staging_.reserve(plan.staging.total).with_context("cuda backend staging"));
    if (arena_grows) {
      // Padding rows of the attention context belong to no pair, so no kernel writes them;
      // zeroing the fresh block keeps whatever flows through them finite.
      RERANKD_CUDA_RETURN_IF_ERROR(
          cudaMemsetAsync(arena_.data(), 0, arena_.capacity(), stream_.get()),
          "zeroing the cuda backend arena");
    }
    return Status::ok_status();
  }

  // A batch padded to its bucket: replays the bucket's graph, or runs eagerly and captures
  // one. The eager run first means kernels load and cuBLASLt picks its algorithms outside the
  // capture; capturing runs nothing, so the staged inputs and logits are left as they are.
  Status run_bucket(const ForwardPlan& plan) {
    if (cudaGraphExec_t graph = graphs_.find(plan.shape); graph != nullptr) {
      ++stats_.replays;
      return launch_and_wait(graph);
    }
    RERANKD_RETURN_IF_ERROR(run_eager(plan));
    if (!graphs_.full()) capture(plan);
    return Status::ok_status();
  }

  // A failed capture turns graphs off for good rather than failing batches the eager path
  // runs fine; graph_stats() says why.
  void capture(const ForwardPlan& plan) {
    auto exec = capture_graph(stream_.get(), [this, &plan] { return enqueue(plan); });
    if (!exec.ok()) {
      cudaGetLastError();  // so the next launch check does not report the capture's error
      graphs_.clear();
      stats_.enabled = false;
      stats_.disabled_reason = exec.status().to_string();
      return;
    }
    graphs_.insert(plan.shape, std::move(*exec));
    ++stats_.captures;
  }

  Status launch_and_wait(cudaGraphExec_t graph) {
    const Status launched = cuda_status(cudaGraphLaunch(graph, stream_.get()), "cudaGraphLaunch");
    const Status synchronized =
        cuda_status(cudaStreamSynchronize(stream_.get()), "cuda backend forward pass (graph)");
    RERANKD_RETURN_IF_ERROR(launched.with_context("cuda backend"));
    return synchronized;
  }

  Status run_eager(const ForwardPlan& plan) {
    ++stats_.eager_runs;
    const Status enqueued = enqueue(plan);
    // Always wait, even after a failed enqueue: what was queued still reads the staging buffer
    // and the arena, which the next run overwrites.
    const Status synchronized =
        cuda_status(cudaStreamSynchronize(stream_.get()), "cuda backend forward pass");
    RERANKD_RETURN_IF_ERROR(enqueued.with_context("cuda backend"));
    return synchronized;
  }

  // The inputs in, the forward pass, the logits out: everything a graph holds. Addresses are
  // the current buffers', which reserve() keeps while graphs live.
  Status enqueue(const ForwardPlan& plan) const {
    auto* host = static_cast<std::byte*>(staging_.data());
    auto* arena = static_cast<std::byte*>(arena_.data());
    cudaStream_t stream = stream_.get();
    RERANKD_CUDA_RETURN_IF_ERROR(
        cudaMemcpyAsync(arena, host, plan.layout.inputs_bytes, cudaMemcpyHostToDevice, stream),
        "copying the batch to the device");
    RERANKD_RETURN_IF_ERROR(bert_->enqueue_forward(ForwardArgs{.arena = arena,
                                                               .layout = plan.layout,
                                                               .tokens = plan.shape.tokens,
                                                               .pairs = plan.shape.pairs,
                                                               .max_length = plan.shape.max_length},
                                                   stream));
    RERANKD_CUDA_RETURN_IF_ERROR(
        cudaMemcpyAsync(host + plan.staging.logits, arena + plan.layout.logits, plan.logits_bytes,
                        cudaMemcpyDeviceToHost, stream),
        "copying the logits to the host");
    return Status::ok_status();
  }

  // Fills the inputs block for `shape` (the batch's own, or its bucket): ids, position ids (0..
  // per pair, as BertEmbeddings numbers each unpadded sequence), token types, cu_seqlens.
  // Padding rows get id 0 in every table (valid rows, finite values) and belong to no pair;
  // padded pairs are empty, starting and ending where the batch ends, so the classifier head
  // reads their [CLS] from row num_tokens, a padding row (buckets have at least one).
  static void stage_inputs(const PackedBatch& batch, const ForwardShape& shape,
                           const ForwardLayout& layout, std::byte* host) {
    const std::size_t tokens = batch.num_tokens();
    const std::size_t pairs = batch.num_pairs();
    auto* ids = reinterpret_cast<std::int32_t*>(host + layout.input_ids);
    auto* positions = reinterpret_cast<std::int32_t*>(host + layout.position_ids);
    auto* types = reinterpret_cast<std::int32_t*>(host + layout.token_type_ids);
    auto* cu_seqlens = reinterpret_cast<std::int32_t*>(host + layout.cu_seqlens);
    std::memcpy(ids, batch.input_ids.data(), tokens * sizeof(std::int32_t));
    std::memcpy(types, batch.token_type_ids.data(), tokens * sizeof(std::int32_t));
    std::memcpy(cu_seqlens, batch.cu_seqlens.data(), (pairs + 1) * sizeof(std::int32_t));
    for (std::size_t pair = 0; pair < pairs; ++pair) {
      const std::int32_t begin = batch.cu_seqlens[pair];
      const std::int32_t length = batch.length(pair);
      for (std::int32_t t = 0; t < length; ++t) positions[begin + t] = t;
    }
    const auto padded_tokens = static_cast<std::size_t>(shape.tokens);
    std::fill(ids + tokens, ids + padded_tokens, 0);
    std::fill(positions + tokens, positions + padded_tokens, 0);
    std::fill(types + tokens, types + padded_tokens, 0);
    std::fill(cu_seqlens + pairs + 1, cu_seqlens + shape.pairs + 1,
              static_cast<std::int32_t>(tokens));
  }

  int device_;
  DeviceDType dtype_;
  model::BertConfig config_;
  // Declaration order is destruction order reversed: the graphs go first, then the buffers and
  // the model's matmuls, before the cuBLASLt handle and the stream they were made with.
  Stream stream_;
  LtHandle lt_;
  std::unique_ptr<DeviceBert> bert_;
  DeviceBuffer arena_;    // activations, inputs and GEMM workspace of the largest batch
  PinnedBuffer staging_;  // inputs out, logits back
  GraphCache graphs_;     // by padded shape; their nodes point into arena_ and staging_
  CudaGraphStats stats_;  // `cached` is filled in by graph_stats()
};

}  // namespace

Result<std::unique_ptr<Backend>> create_cuda_backend(
    const BackendOptions& options, std::shared_ptr<const model::BertModel> model) {
  const auto dtype = parse_device_dtype(options.dtype);
  if (!dtype) {
    return unimplemented("backend 'cuda' has no dtype '" + options.dtype +
                         "'; available: " + kCudaDtypes);
  }
  int count = 0;
  const cudaError_t counted = cudaGetDeviceCount(&count);
  if (counted != cudaSuccess || count == 0) {
    // cudaErrorNoDevice / cudaErrorInsufficientDriver: a build with CUDA on a machine without
    // a usable GPU. Clear the error so later runtime calls on this thread start clean.
    cudaGetLastError();
    return failed_precondition("cuda backend: no GPU visible (0 devices" +
                               (counted != cudaSuccess ? std::string("; cudaGetDeviceCount: ") +
                                                             cudaGetErrorName(counted) + ": " +
                                                             cudaGetErrorString(counted)
                                                       : std::string()) +
                               ")");
  }
  if (options.device < 0 || options.device >= count) {
    return failed_precondition("cuda backend: device " + std::to_string(options.device) +
                               " is out of range; " + std::to_string(count) +
                               " GPU(s) visible (0.." + std::to_string(count - 1) + ")");
  }
  // Checked after the GPU: a null model then tells a caller (and the tests) whether this
  // machine can run the backend at all.
  if (model == nullptr) return invalid_argument("cuda backend: no model given");
  RERANKD_CUDA_RETURN_IF_ERROR(cudaSetDevice(options.device),
                               "cudaSetDevice(" + std::to_string(options.device) + ")");
  cudaStream_t raw_stream = nullptr;
  // Non-blocking: no implicit ordering with the legacy default stream other code may use.
  RERANKD_CUDA_RETURN_IF_ERROR(cudaStreamCreateWithFlags(&raw_stream, cudaStreamNonBlocking),
                               "cudaStreamCreateWithFlags");
  Stream stream(raw_stream);
  RERANKD_ASSIGN_OR_RETURN(auto lt, create_lt_handle());
  auto bert = DeviceBert::create(model->config(), model->weights(), *dtype, lt.get());
  if (!bert.ok()) {
    return bert.status().with_context("cuda backend (" + std::string(dtype_name(*dtype)) +
                                      ", cuda:" + std::to_string(options.device) + "), model " +
                                      model->directory().string());
  }
  return std::unique_ptr<Backend>(new CudaBackend(options.device, *dtype, model->config(),
                                                  std::move(stream), std::move(lt),
                                                  std::move(*bert), graphs_switched_off()));
}

std::optional<CudaGraphStats> cuda_graph_stats(const Backend& backend) {
  const auto* cuda = dynamic_cast<const CudaBackend*>(&backend);
  if (cuda == nullptr) return std::nullopt;
  return cuda->graph_stats();
}

}  // namespace rerankd::backend::cuda
