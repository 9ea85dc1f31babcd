#include "backend/cuda/graph_cache.h"

#include <utility>

#include "backend/cuda/cuda_status.h"

namespace rerankd::backend::cuda {
namespace {

struct GraphDeleter {
  void operator()(cudaGraph_t graph) const {
    if (graph != nullptr) cudaGraphDestroy(graph);
  }
};
using Graph = std::unique_ptr<CUgraph_st, GraphDeleter>;

}  // namespace

void GraphExecDeleter::operator()(cudaGraphExec_t exec) const {
  if (exec != nullptr) cudaGraphExecDestroy(exec);
}

Result<GraphExec> capture_graph(cudaStream_t stream, const std::function<Status()>& enqueue) {
  RERANKD_CUDA_RETURN_IF_ERROR(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal),
                               "cudaStreamBeginCapture");
  const Status enqueued = enqueue();
  cudaGraph_t raw_graph = nullptr;
  // Ended even after a failed enqueue: a stream left capturing would fail every later call.
  const cudaError_t ended = cudaStreamEndCapture(stream, &raw_graph);
  const Graph graph(raw_graph);  // null when the capture was invalidated
  RERANKD_RETURN_IF_ERROR(enqueued.with_context("capturing the forward pass"));
  RERANKD_CUDA_RETURN_IF_ERROR(ended, "cudaStreamEndCapture");
  if (graph == nullptr) return internal_error("cudaStreamEndCapture returned no graph");
  cudaGraphExec_t exec = nullptr;
  RERANKD_CUDA_RETURN_IF_ERROR(cudaGraphInstantiate(&exec, graph.get(), 0), "cudaGraphInstantiate");
  return GraphExec(exec);
}

cudaGraphExec_t GraphCache::find(const ForwardShape& shape) const {
  const auto found = graphs_.find(shape);
  return found == graphs_.end() ? nullptr : found->second.get();
}

void GraphCache::insert(const ForwardShape& shape, GraphExec exec) {
  if (full()) return;
  graphs_.emplace(shape, std::move(exec));
}

}  // namespace rerankd::backend::cuda
