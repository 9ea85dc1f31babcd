#include "http/codecs/cohere_rerank.h"

#include <cstdint>

#include "common/json_writer.h"
#include "http/codecs/json_input.h"
#include "http/codecs/truncate_field.h"

namespace rerankd::http::codecs {
namespace {

namespace dom = simdjson::dom;

// A document is a string or, as Cohere and Jina also accept, an object with a "text" string.
Result<std::string_view> decode_document(const dom::element& element, std::size_t i) {
  const std::string field = "documents[" + std::to_string(i) + "]";
  if (element.is_string()) return as_string(element, field);
  dom::object object;
  if (element.get_object().get(object)) {
    return type_error(field, "a string or an object with \"text\"", element);
  }
  std::optional<dom::element> text = find_field(object, "text");
  if (!text) return invalid_argument(field + ": missing field \"text\"");
  return as_string(*text, field + ".text");
}

Result<std::size_t> decode_top_n(const dom::object& object) {
  std::optional<dom::element> element = find_field(object, "top_n");
  if (!element || element->is_null()) return std::size_t{0};
  std::int64_t value = 0;
  if (element->get_int64().get(value)) return type_error("top_n", "an integer", *element);
  if (value < 1) return invalid_argument("top_n: " + std::to_string(value) + " is less than 1");
  return static_cast<std::size_t>(value);
}

}  // namespace

Result<CohereRerankInput> decode_cohere_rerank(std::string_view body, const DecodeLimits& limits) {
  RERANKD_ASSIGN_OR_RETURN(dom::object object, parse_object(body));
  CohereRerankInput input;

  std::optional<dom::element> model = find_field(object, "model");
  if (model && !model->is_null()) {
    RERANKD_ASSIGN_OR_RETURN(std::string_view name, as_string(*model, "model"));
    input.model = std::string(name);
  }
  RERANKD_ASSIGN_OR_RETURN(std::string_view query, required_string(object, "query"));
  input.request.query = std::string(query);

  RERANKD_ASSIGN_OR_RETURN(dom::array documents, required_array(object, "documents"));
  RERANKD_RETURN_IF_ERROR(check_batch_size("documents", documents.size(), limits));
  input.request.documents.reserve(documents.size());
  std::size_t i = 0;
  for (dom::element document : documents) {
    RERANKD_ASSIGN_OR_RETURN(std::string_view text, decode_document(document, i));
    input.request.documents.emplace_back(text);
    ++i;
  }

  RERANKD_ASSIGN_OR_RETURN(input.request.top_n, decode_top_n(object));
  RERANKD_ASSIGN_OR_RETURN(input.return_documents,
                           optional_bool(object, "return_documents", false));
  RERANKD_ASSIGN_OR_RETURN(bool raw_scores, optional_bool(object, "raw_scores", false));
  input.request.mode = raw_scores ? engine::ScoreMode::kRaw : engine::ScoreMode::kActivated;
  RERANKD_ASSIGN_OR_RETURN(input.request.truncate, decode_truncate(object, limits));
  return input;
}

std::string encode_cohere_rerank(const engine::RerankResponse& response,
                                 const CohereReplyContext& context) {
  std::string out;
  out.reserve(48 * response.ranked.size() + 128);
  out += "{\"id\":";
  json::append_string(out, context.id);
  out += ",\"results\":[";
  for (std::size_t i = 0; i < response.ranked.size(); ++i) {
    const engine::RankedIndex& ranked = response.ranked[i];
    if (i > 0) out += ',';
    out += "{\"index\":";
    json::append_number(out, static_cast<std::int64_t>(ranked.index));
    out += ",\"relevance_score\":";
    json::append_number(out, ranked.score);
    if (context.documents != nullptr && ranked.index < context.documents->size()) {
      out += ",\"document\":{\"text\":";
      json::append_string(out, (*context.documents)[ranked.index]);
      out += '}';
    }
    out += '}';
  }
  out += "],\"model\":";
  json::append_string(out, context.model);
  out += ",\"usage\":{\"total_tokens\":";
  json::append_number(out, static_cast<std::int64_t>(response.total_tokens));
  out += "}}";
  return out;
}

}  // namespace rerankd::http::codecs
