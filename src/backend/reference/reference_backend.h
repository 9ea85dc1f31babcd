// The plain fp32 reference backend: readable CPU loops, the yardstick every faster backend is
// tested against.
#pragma once

#include <memory>
#include <vector>

#include "backend/backend.h"

namespace rerankd::backend::reference {

// Not thread-safe (one caller at a time, as every Backend); run() itself spreads the pairs of
// a batch over `threads` threads.
class ReferenceBackend final : public Backend {
 public:
  // FailedPrecondition when the model's weights do not match its config; InvalidArgument for a
  // null model or negative thread count. threads 0 = one per hardware thread.
  static Result<std::unique_ptr<Backend>> create(std::shared_ptr<const model::BertModel> model,
                                                 int threads);

  Result<std::vector<float>> run(const PackedBatch& batch) override;
  BackendInfo info() const override;

 private:
  ReferenceBackend(std::shared_ptr<const model::BertModel> model, int threads)
      : model_(std::move(model)), threads_(threads) {}

  std::shared_ptr<const model::BertModel> model_;
  int threads_;
};

}  // namespace rerankd::backend::reference
