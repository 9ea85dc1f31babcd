#include "http/codecs/tei_predict.h"

#include "common/json_writer.h"
#include "http/codecs/json_input.h"
#include "http/codecs/score_pairs.h"
#include "http/codecs/truncate_field.h"

namespace rerankd::http::codecs {
namespace {

namespace dom = simdjson::dom;

Status single_text_refused(std::string_view field) {
  return invalid_argument(std::string(field) +
                          ": a single text; a cross-encoder scores pairs, so send "
                          "[query, passage] or a list of them");
}

// TEI takes a one-element list as a single text; a cross-encoder cannot score one.
Result<engine::OwnedPair> decode_pair(const dom::array& pair, std::string_view field) {
  if (pair.size() == 1) return single_text_refused(field);
  return decode_query_passage(pair, field);
}

}  // namespace

Result<TeiPredictInput> decode_tei_predict(std::string_view body, const DecodeLimits& limits) {
  RERANKD_ASSIGN_OR_RETURN(dom::object object, parse_object(body));
  std::optional<dom::element> inputs = find_field(object, "inputs");
  if (!inputs) return invalid_argument("missing field \"inputs\"");
  if (inputs->is_string()) return single_text_refused("inputs");
  dom::array array;
  if (inputs->get_array().get(array)) {
    return type_error("inputs", "[query, passage] or a list of pairs", *inputs);
  }
  TeiPredictInput input;
  // TEI decides by the first element: a string means one pair, a list a batch.
  dom::element first;
  if (array.size() > 0 && array.at(0).get(first) == simdjson::SUCCESS && first.is_string()) {
    RERANKD_ASSIGN_OR_RETURN(engine::OwnedPair pair, decode_pair(array, "inputs"));
    input.request.pairs.push_back(std::move(pair));
  } else {
    RERANKD_RETURN_IF_ERROR(check_batch_size("inputs", array.size(), limits));
    input.batch = true;
    input.request.pairs.reserve(array.size());
    std::size_t i = 0;
    for (dom::element element : array) {
      const std::string field = "inputs[" + std::to_string(i++) + "]";
      dom::array pair;
      if (element.get_array().get(pair)) return type_error(field, "[query, passage]", element);
      RERANKD_ASSIGN_OR_RETURN(engine::OwnedPair decoded, decode_pair(pair, field));
      input.request.pairs.push_back(std::move(decoded));
    }
  }
  RERANKD_ASSIGN_OR_RETURN(bool raw_scores, optional_bool(object, "raw_scores", false));
  input.request.mode = raw_scores ? engine::ScoreMode::kRaw : engine::ScoreMode::kActivated;
  RERANKD_ASSIGN_OR_RETURN(input.request.truncation, decode_tei_truncation(object, limits));
  return input;
}

std::string encode_tei_predict(const engine::ScoreResponse& response, bool batch,
                               std::string_view label) {
  std::string out;
  out.reserve(40 * response.scores.size() + 4);
  if (batch) out += '[';
  for (std::size_t i = 0; i < response.scores.size(); ++i) {
    if (i > 0) out += ',';
    out += "[{\"score\":";
    json::append_number(out, response.scores[i]);
    out += ",\"label\":";
    json::append_string(out, label);
    out += "}]";
  }
  if (batch) out += ']';
  return out;
}

}  // namespace rerankd::http::codecs
