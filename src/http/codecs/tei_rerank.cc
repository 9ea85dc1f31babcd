#include "http/codecs/tei_rerank.h"

#include "common/json_writer.h"
#include "http/codecs/json_input.h"
#include "http/codecs/truncate_field.h"

namespace rerankd::http::codecs {

Result<TeiRerankInput> decode_tei_rerank(std::string_view body, const DecodeLimits& limits) {
  RERANKD_ASSIGN_OR_RETURN(simdjson::dom::object object, parse_object(body));
  TeiRerankInput input;
  RERANKD_ASSIGN_OR_RETURN(std::string_view query, required_string(object, "query"));
  input.request.query = std::string(query);

  RERANKD_ASSIGN_OR_RETURN(simdjson::dom::array texts, required_array(object, "texts"));
  RERANKD_RETURN_IF_ERROR(check_batch_size("texts", texts.size(), limits));
  input.request.documents.reserve(texts.size());
  std::size_t i = 0;
  for (simdjson::dom::element text : texts) {
    RERANKD_ASSIGN_OR_RETURN(std::string_view value,
                             as_string(text, "texts[" + std::to_string(i) + "]"));
    input.request.documents.emplace_back(value);
    ++i;
  }

  RERANKD_ASSIGN_OR_RETURN(bool raw_scores, optional_bool(object, "raw_scores", false));
  input.request.mode = raw_scores ? engine::ScoreMode::kRaw : engine::ScoreMode::kActivated;
  RERANKD_ASSIGN_OR_RETURN(input.return_text, optional_bool(object, "return_text", false));
  RERANKD_ASSIGN_OR_RETURN(input.request.truncation, decode_tei_truncation(object, limits));
  return input;
}

std::string encode_tei_rerank(const engine::RerankResponse& response,
                              const std::vector<std::string>* texts) {
  std::string out;
  out.reserve(32 * response.ranked.size() + 2);
  out += '[';
  for (std::size_t i = 0; i < response.ranked.size(); ++i) {
    const engine::RankedIndex& ranked = response.ranked[i];
    if (i > 0) out += ',';
    out += "{\"index\":";
    json::append_number(out, static_cast<std::int64_t>(ranked.index));
    out += ",\"score\":";
    json::append_number(out, ranked.score);
    if (texts != nullptr && ranked.index < texts->size()) {
      out += ",\"text\":";
      json::append_string(out, (*texts)[ranked.index]);
    }
    out += '}';
  }
  out += ']';
  return out;
}

}  // namespace rerankd::http::codecs
