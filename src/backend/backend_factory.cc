// create_backend / available_backends: the one place that knows which backends this build has.
#include <string>

#include "backend/backend.h"
#include "backend/reference/reference_backend.h"
#ifdef RERANKD_HAVE_CPU_BACKEND
#include "backend/cpu/cpu_backend.h"
#endif
#ifdef RERANKD_HAVE_CUDA_BACKEND
#include "backend/cuda/cuda_backend.h"
#endif

namespace rerankd::backend {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

std::vector<std::string> available_backends() {
  std::vector<std::string> names{"reference"};
#ifdef RERANKD_HAVE_CPU_BACKEND
  names.emplace_back("cpu");
#endif
#ifdef RERANKD_HAVE_CUDA_BACKEND
  names.emplace_back("cuda");
#endif
  return names;
}

Result<std::unique_ptr<Backend>> create_backend(const BackendOptions& options,
                                                std::shared_ptr<const model::BertModel> model) {
  if (options.name == "reference") {
    if (options.dtype != "fp32") {
      return unimplemented("backend 'reference' has no dtype '" + options.dtype +
                           "'; available: fp32");
    }
    return reference::ReferenceBackend::create(std::move(model), options.threads);
  }
#ifdef RERANKD_HAVE_CPU_BACKEND
  if (options.name == "cpu") return cpu::create_cpu_backend(options, std::move(model));
#endif
#ifdef RERANKD_HAVE_CUDA_BACKEND
  if (options.name == "cuda") return cuda::create_cuda_backend(options, std::move(model));
#endif
  return unimplemented("backend '" + options.name +
                       "' is not built; available: " + joined(available_backends()));
}

}  // namespace rerankd::backend
