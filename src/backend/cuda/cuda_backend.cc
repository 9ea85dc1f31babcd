#include "backend/cuda/cuda_backend.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>

#include "backend/cuda/cuda_status.h"
#include "backend/cuda/device_bert.h"
#include "backend/cuda/device_memory.h"
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

class CudaBackend final : public Backend {
 public:
  CudaBackend(int device, DeviceDType dtype, model::BertConfig config, Stream stream, LtHandle lt,
              std::unique_ptr<DeviceBert> bert)
      : device_(device),
        dtype_(dtype),
        config_(std::move(config)),
        stream_(std::move(stream)),
        lt_(std::move(lt)),
        bert_(std::move(bert)) {}

  Result<std::vector<float>> run(const PackedBatch& batch) override {
    RERANKD_RETURN_IF_ERROR(reference::check_batch(config_, batch));
    const std::size_t pairs = batch.num_pairs();
    const std::size_t tokens = batch.num_tokens();
    const auto labels = static_cast<std::size_t>(config_.num_labels);
    std::vector<float> logits(pairs * labels);
    if (pairs == 0) return logits;
    if (pairs > kMaxPairsPerBatch) {
      return out_of_range("cuda backend: a batch of " + std::to_string(pairs) + " pairs; at most " +
                          std::to_string(kMaxPairsPerBatch) + " per batch");
    }
    if (tokens > static_cast<std::size_t>(INT_MAX)) {
      return out_of_range("cuda backend: a batch of " + std::to_string(tokens) +
                          " tokens is more than one launch can index");
    }
    // The batch's own max_length is not trusted: the attention kernel sizes its grid from it.
    std::int32_t max_length = 0;
    for (std::size_t pair = 0; pair < pairs; ++pair) {
      max_length = std::max(max_length, batch.length(pair));
    }
    if (max_length > kMaxAttentionLength) {
      return out_of_range("cuda backend: a pair has " + std::to_string(max_length) +
                          " tokens; the fused attention kernel handles at most " +
                          std::to_string(kMaxAttentionLength));
    }

    // The engine may drive this backend from a thread other than the one that created it, and
    // the current device is per thread.
    RERANKD_CUDA_RETURN_IF_ERROR(cudaSetDevice(device_), "cudaSetDevice");
    const ForwardLayout layout = forward_layout(config_, tokens, pairs);
    const std::size_t logits_bytes = logits.size() * sizeof(float);
    const StagingLayout staging = staging_layout(layout, logits_bytes);
    // Grow-only: after the largest batch, nothing is allocated here. (Growth frees the old
    // block, which synchronizes the device; no work of ours is in flight between runs.)
    RERANKD_RETURN_IF_ERROR(arena_.reserve(layout.total).with_context("cuda backend arena"));
    RERANKD_RETURN_IF_ERROR(staging_.reserve(staging.total).with_context("cuda backend staging"));

    auto* host = static_cast<std::byte*>(staging_.data());
    stage_inputs(batch, layout, host);
    auto* arena = static_cast<std::byte*>(arena_.data());
    cudaStream_t stream = stream_.get();
    const Status enqueued = [&]() -> Status {
      RERANKD_CUDA_RETURN_IF_ERROR(
          cudaMemcpyAsync(arena, host, layout.inputs_bytes, cudaMemcpyHostToDevice, stream),
          "copying the batch to the device");
      RERANKD_RETURN_IF_ERROR(bert_->enqueue_forward(ForwardArgs{.arena = arena,
                                                                 .layout = layout,
                                                                 .tokens = static_cast<int>(tokens),
                                                                 .pairs = static_cast<int>(pairs),
                                                                 .max_length = max_length},
                                                     stream));
      RERANKD_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(host + staging.logits, arena + layout.logits,
                                                   logits_bytes, cudaMemcpyDeviceToHost, stream),
                                   "copying the logits to the host");
      return Status::ok_status();
    }();
    // Always wait, even after a failed enqueue: what was queued still reads the staging buffer
    // and the arena, which the next run overwrites.
    const Status synchronized =
        cuda_status(cudaStreamSynchronize(stream), "cuda backend forward pass");
    RERANKD_RETURN_IF_ERROR(enqueued.with_context("cuda backend"));
    RERANKD_RETURN_IF_ERROR(synchronized);
    std::memcpy(logits.data(), host + staging.logits, logits_bytes);
    return logits;
  }

  BackendInfo info() const override {
    return BackendInfo{.name = "cuda",
                       .dtype = dtype_name(dtype_),
                       .device = "cuda:" + std::to_string(device_),
                       .threads = 1};
  }

 private:
  // Fills the inputs block: ids, position ids (0.. per pair, as BertEmbeddings numbers each
  // unpadded sequence), token types, cu_seqlens.
  static void stage_inputs(const PackedBatch& batch, const ForwardLayout& layout, std::byte* host) {
    const std::size_t tokens = batch.num_tokens();
    std::memcpy(host + layout.input_ids, batch.input_ids.data(), tokens * sizeof(std::int32_t));
    std::memcpy(host + layout.token_type_ids, batch.token_type_ids.data(),
                tokens * sizeof(std::int32_t));
    std::memcpy(host + layout.cu_seqlens, batch.cu_seqlens.data(),
                batch.cu_seqlens.size() * sizeof(std::int32_t));
    auto* positions = reinterpret_cast<std::int32_t*>(host + layout.position_ids);
    for (std::size_t pair = 0; pair < batch.num_pairs(); ++pair) {
      const std::int32_t begin = batch.cu_seqlens[pair];
      const std::int32_t length = batch.length(pair);
      for (std::int32_t t = 0; t < length; ++t) positions[begin + t] = t;
    }
  }

  int device_;
  DeviceDType dtype_;
  model::BertConfig config_;
  // Declaration order is destruction order reversed: the buffers and the model's matmuls go
  // before the cuBLASLt handle and the stream they were made with.
  Stream stream_;
  LtHandle lt_;
  std::unique_ptr<DeviceBert> bert_;
  DeviceBuffer arena_;    // activations, inputs and GEMM workspace of the largest batch
  PinnedBuffer staging_;  // inputs out, logits back
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
  return std::unique_ptr<Backend>(new CudaBackend(
      options.device, *dtype, model->config(), std::move(stream), std::move(lt), std::move(*bert)));
}

}  // namespace rerankd::backend::cuda
