#include "model/score_activation.h"

#include <string>

namespace rerankd::model {

Result<ScoreActivation> score_activation_from_class(std::string_view class_path,
                                                    std::string_view where) {
  // The short aliases are what torch's classes are importable as too (torch.nn.Identity); accept
  // them since import_from_string would.
  if (class_path == "torch.nn.modules.linear.Identity" || class_path == "torch.nn.Identity") {
    return ScoreActivation::kIdentity;
  }
  if (class_path == "torch.nn.modules.activation.Sigmoid" || class_path == "torch.nn.Sigmoid") {
    return ScoreActivation::kSigmoid;
  }
  return failed_precondition(std::string(where) + ": unsupported score activation \"" +
                             std::string(class_path) +
                             "\" (rerankd supports torch.nn.modules.linear.Identity and "
                             "torch.nn.modules.activation.Sigmoid)");
}

ScoreActivation default_score_activation(std::int64_t num_labels) {
  return num_labels == 1 ? ScoreActivation::kSigmoid : ScoreActivation::kIdentity;
}

}  // namespace rerankd::model
