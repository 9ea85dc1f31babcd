// Captured CUDA graphs of the forward pass, one per padded ForwardShape (graph_shape.h), so that
// a batch costs one cudaGraphLaunch instead of ~45 kernel and GEMM launches.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>

#include "backend/cuda/graph_shape.h"
#include "common/result.h"

namespace rerankd::backend::cuda {

// An owned, instantiated graph.
struct GraphExecDeleter {
  void operator()(cudaGraphExec_t exec) const;
};
using GraphExec = std::unique_ptr<CUgraphExec_st, GraphExecDeleter>;

// Records what `enqueue` puts on `stream` (nothing runs) and instantiates it. Capture is
// thread-local: other threads (other workers, other devices) may allocate meanwhile, while an
// unsafe call on this thread (a cudaMalloc, a synchronous copy) fails the capture instead of
// silently breaking it. Every error, `enqueue`'s included, is returned after the capture is
// ended, so the stream is never left capturing.
Result<GraphExec> capture_graph(cudaStream_t stream, const std::function<Status()>& enqueue);

// Graphs by shape, at most `capacity` of them. A full cache takes no more: a new shape then runs
// eagerly, which is never slower than before graphs existed, whereas evicting could recapture
// (about a millisecond each) on every batch of a workload with more shapes than slots.
// Not thread-safe (one per backend).
class GraphCache {
 public:
  explicit GraphCache(std::size_t capacity) : capacity_(capacity) {}

  // nullptr when no graph has that shape.
  cudaGraphExec_t find(const ForwardShape& shape) const;
  bool full() const { return graphs_.size() >= capacity_; }
  // Ignored when full or when the shape is already there.
  void insert(const ForwardShape& shape, GraphExec exec);
  // Drops every graph: their nodes hold the addresses of buffers about to be freed.
  void clear() { graphs_.clear(); }
  std::size_t size() const { return graphs_.size(); }

 private:
  std::size_t capacity_;
  std::map<ForwardShape, GraphExec> graphs_;
};

}  // namespace rerankd::backend::cuda
