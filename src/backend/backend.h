// The one interface every compute engine implements (STYLE.md, rule 2).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "backend/packed_batch.h"
#include "common/result.h"
#include "model/bert_model.h"

namespace rerankd::backend {

struct BackendOptions {
  std::string name = "reference";  // reference, cpu or cuda
  std::string dtype = "fp32";
  int threads = 0;  // 0 = every core of the machine
  int device = 0;   // GPU index for device backends
};

struct BackendInfo {
  std::string name;
  std::string dtype;
  std::string device;  // "cpu" or "cuda:0"
  int threads = 0;
};

// Not thread-safe: one backend is driven by one thread (the engine's or a worker's).
class Backend {
 public:
  virtual ~Backend() = default;

  // One row of num_labels logits per pair, row-major, in batch order. A pair's logits do not
  // depend on the other pairs in the batch. Rejects the whole batch with OutOfRange when a pair
  // is longer than the model's max positions, and with InvalidArgument when the batch is
  // malformed, a pair is empty, or a token (type) id is outside the model's tables.
  virtual Result<std::vector<float>> run(const PackedBatch& batch) = 0;

  virtual BackendInfo info() const = 0;

  // Bytes of activation memory the backend holds for its batches (the cpu backend's workspaces,
  // reserved at load for its largest pass); 0 when it cannot tell. For the metrics: it tells
  // workspaces from leaks when memory grows.
  virtual std::size_t activation_bytes() const { return 0; }
};

// Builds the backend named in options for `model`. Unimplemented for a backend or dtype this
// build lacks, naming what it has (e.g. "backend 'cuda' is not built; available: reference").
Result<std::unique_ptr<Backend>> create_backend(const BackendOptions& options,
                                                std::shared_ptr<const model::BertModel> model);

// Backends compiled into this binary, e.g. {"reference"}.
std::vector<std::string> available_backends();

}  // namespace rerankd::backend
