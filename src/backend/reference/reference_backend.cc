#include "backend/reference/reference_backend.h"

#include <string>
#include <thread>

#include "backend/reference/bert_forward.h"
#include "backend/reference/input_checks.h"

namespace rerankd::backend::reference {

Result<std::unique_ptr<Backend>> ReferenceBackend::create(
    std::shared_ptr<const model::BertModel> model, int threads) {
  if (threads < 0) {
    return invalid_argument("reference backend: threads must be >= 0 (0 = all cores), got " +
                            std::to_string(threads));
  }
  if (model == nullptr) return invalid_argument("reference backend: no model given");
  RERANKD_RETURN_IF_ERROR(check_weights(model->config(), model->weights())
                              .with_context("model " + model->directory().string()));
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::unique_ptr<Backend>(new ReferenceBackend(std::move(model), threads));
}

Result<std::vector<float>> ReferenceBackend::run(const PackedBatch& batch) {
  return forward_batch(model_->config(), model_->weights(), batch, threads_);
}

BackendInfo ReferenceBackend::info() const {
  return BackendInfo{.name = "reference", .dtype = "fp32", .device = "cpu", .threads = threads_};
}

}  // namespace rerankd::backend::reference
