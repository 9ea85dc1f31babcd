// How sentence-transformers' CrossEncoder picks the function applied to logits, as rerankd
// mirrors it (sentence_transformers/cross_encoder/model.py, v6.2.0: _parse_model_config and
// get_default_activation_fn).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.h"
#include "model/bert_config.h"

namespace rerankd::model {

// Maps a saved activation class path ("torch.nn.modules.linear.Identity",
// "torch.nn.modules.activation.Sigmoid") to ours. Any other class is FailedPrecondition naming
// the class and `where` (e.g. "config.json sentence_transformers.activation_fn"): rerankd cannot
// run arbitrary Python, and silently falling back (as sentence-transformers does for untrusted
// paths) would change scores without saying so.
Result<ScoreActivation> score_activation_from_class(std::string_view class_path,
                                                    std::string_view where);

// The CrossEncoder default when nothing is saved: sigmoid for one label, identity otherwise.
ScoreActivation default_score_activation(std::int64_t num_labels);

}  // namespace rerankd::model
