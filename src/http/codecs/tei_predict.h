// text-embeddings-inference's POST /predict, for a cross-encoder (pairs only):
//   {"inputs": [a, b] | [[a, b], ..], "raw_scores"?: false, "truncate"?: null,
//    "truncation_direction"?: "right"}
//   -> [{"score", "label"}] for one pair, [[{"score", "label"}], ..] for a batch.
// A single text ("text" or ["text"]) is refused: a cross-encoder scores (query, passage)
// pairs. Unknown fields are ignored, as TEI does (huggingface_hub sends "parameters").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engine/service.h"
#include "http/codecs/decode_limits.h"

namespace rerankd::http::codecs {

struct TeiPredictInput {
  engine::ScoreRequest request;
  bool batch = false;  // inputs was a list of pairs: the answer nests one list per pair
};

Result<TeiPredictInput> decode_tei_predict(std::string_view body, const DecodeLimits& limits);

// `label` names the model's one label (id2label[0], e.g. "LABEL_0").
std::string encode_tei_predict(const engine::ScoreResponse& response, bool batch,
                               std::string_view label);

}  // namespace rerankd::http::codecs
