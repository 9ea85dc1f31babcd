#include "http/codecs/tei_rerank.h"

#include <cctype>

#include "common/json_writer.h"
#include "http/codecs/json_input.h"
#include "http/codecs/truncate_field.h"

namespace rerankd::http::codecs {
namespace {

// TEI spells the direction "Right"/"Left" in its OpenAPI enum and clients send lower case too.
// The engine truncates the passage from the right only, so "left" is refused rather than
// silently ignored.
Status check_direction(const simdjson::dom::object& object) {
  std::optional<simdjson::dom::element> element = find_field(object, "truncation_direction");
  if (!element || element->is_null()) return Status::ok_status();
  RERANKD_ASSIGN_OR_RETURN(std::string_view direction, as_string(*element, "truncation_direction"));
  std::string lower;
  for (char c : direction) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "right") return Status::ok_status();
  if (lower == "left") {
    return invalid_argument("truncation_direction: \"left\" is not supported; use \"right\"");
  }
  return invalid_argument("truncation_direction: expected \"right\" or \"left\"");
}

}  // namespace

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
  RERANKD_ASSIGN_OR_RETURN(input.request.truncate, decode_truncate(object, limits));
  RERANKD_RETURN_IF_ERROR(check_direction(object));
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
