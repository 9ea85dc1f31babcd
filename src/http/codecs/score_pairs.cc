#include "http/codecs/score_pairs.h"

#include "common/json_writer.h"
#include "http/codecs/json_input.h"
#include "http/codecs/truncate_field.h"

namespace rerankd::http::codecs {

namespace dom = simdjson::dom;

Result<engine::OwnedPair> decode_query_passage(const dom::array& pair, std::string_view field) {
  const std::string name(field);
  if (pair.size() != 2) {
    return invalid_argument(name + ": expected [query, passage], got " +
                            std::to_string(pair.size()) + " items");
  }
  RERANKD_ASSIGN_OR_RETURN(std::string_view query,
                           as_string(pair.at(0).value_unsafe(), name + "[0]"));
  RERANKD_ASSIGN_OR_RETURN(std::string_view passage,
                           as_string(pair.at(1).value_unsafe(), name + "[1]"));
  return engine::OwnedPair{std::string(query), std::string(passage)};
}

Result<engine::ScoreRequest> decode_score(std::string_view body, const DecodeLimits& limits) {
  RERANKD_ASSIGN_OR_RETURN(dom::object object, parse_object(body));
  engine::ScoreRequest request;
  RERANKD_ASSIGN_OR_RETURN(dom::array pairs, required_array(object, "pairs"));
  RERANKD_RETURN_IF_ERROR(check_batch_size("pairs", pairs.size(), limits));
  request.pairs.reserve(pairs.size());
  std::size_t i = 0;
  for (dom::element element : pairs) {
    const std::string field = "pairs[" + std::to_string(i) + "]";
    dom::array pair;
    if (element.get_array().get(pair)) return type_error(field, "[query, passage]", element);
    RERANKD_ASSIGN_OR_RETURN(engine::OwnedPair decoded, decode_query_passage(pair, field));
    request.pairs.push_back(std::move(decoded));
    ++i;
  }
  RERANKD_ASSIGN_OR_RETURN(bool raw_scores, optional_bool(object, "raw_scores", false));
  request.mode = raw_scores ? engine::ScoreMode::kRaw : engine::ScoreMode::kActivated;
  RERANKD_ASSIGN_OR_RETURN(request.truncation.enabled, decode_truncate(object, limits));
  return request;
}

std::string encode_score(const engine::ScoreResponse& response) {
  std::string out;
  out.reserve(16 * response.scores.size() + 16);
  out += "{\"scores\":[";
  for (std::size_t i = 0; i < response.scores.size(); ++i) {
    if (i > 0) out += ',';
    json::append_number(out, response.scores[i]);
  }
  out += "]}";
  return out;
}

}  // namespace rerankd::http::codecs
