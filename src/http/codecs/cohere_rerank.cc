#include "http/codecs/cohere_rerank.h"

#include <cstdint>

#include "common/json_writer.h"
#include "http/codecs/json_input.h"
#include "http/codecs/truncate_field.h"

namespace rerankd::http::codecs {
namespace {

namespace dom = simdjson::dom;

// Cohere fields rerankd knows and does not implement: refused when set, accepted as null.
Status refuse_unsupported(const dom::object& object) {
  std::optional<dom::element> chunks = find_field(object, "max_chunks_per_doc");
  if (chunks && !chunks->is_null()) {
    return invalid_argument(
        "max_chunks_per_doc: not supported; rerankd scores each document once, truncated to the "
        "model's max_length (send long documents already split into chunks)");
  }
  std::optional<dom::element> priority = find_field(object, "priority");
  if (priority && !priority->is_null()) {
    return invalid_argument("priority: not supported; every request is batched in arrival order");
  }
  return Status::ok_status();
}

Result<std::vector<std::string>> decode_rank_fields(const dom::object& object) {
  std::vector<std::string> fields;
  std::optional<dom::element> element = find_field(object, "rank_fields");
  if (!element || element->is_null()) return fields;
  dom::array array;
  if (element->get_array().get(array))
    return type_error("rank_fields", "a list of strings", *element);
  std::size_t i = 0;
  for (dom::element field : array) {
    RERANKD_ASSIGN_OR_RETURN(std::string_view name,
                             as_string(field, "rank_fields[" + std::to_string(i++) + "]"));
    fields.emplace_back(name);
  }
  if (fields.empty()) return invalid_argument("rank_fields: must not be empty when given");
  return fields;
}

// The text an object document is ranked on.
Result<std::string> object_text(const dom::object& document, const std::string& field,
                                const std::vector<std::string>& rank_fields) {
  if (rank_fields.empty()) {
    std::optional<dom::element> text = find_field(document, "text");
    if (!text) {
      return invalid_argument(field +
                              ": missing field \"text\" (or name the fields to rank on "
                              "with rank_fields)");
    }
    RERANKD_ASSIGN_OR_RETURN(std::string_view value, as_string(*text, field + ".text"));
    return std::string(value);
  }
  std::string joined;
  for (const std::string& name : rank_fields) {
    std::optional<dom::element> value = find_field(document, name);
    if (!value || value->is_null()) continue;
    RERANKD_ASSIGN_OR_RETURN(std::string_view text, as_string(*value, field + "." + name));
    if (!joined.empty()) joined += '\n';
    joined += name;
    joined += ": ";
    joined += text;
  }
  if (joined.empty()) return invalid_argument(field + ": has none of the rank_fields");
  return joined;
}

Status decode_documents(const dom::array& documents, CohereApi api,
                        const std::vector<std::string>& rank_fields, bool keep_json,
                        CohereRerankInput& input) {
  input.request.documents.reserve(documents.size());
  if (keep_json) input.documents_json.reserve(documents.size());
  std::size_t i = 0;
  for (dom::element document : documents) {
    const std::string field = "documents[" + std::to_string(i++) + "]";
    if (document.is_string() || api == CohereApi::kV2) {
      RERANKD_ASSIGN_OR_RETURN(std::string_view text, as_string(document, field));
      input.request.documents.emplace_back(text);
      if (keep_json) {
        std::string json = "{\"text\":";
        json::append_string(json, text);
        input.documents_json.push_back(json + '}');
      }
      continue;
    }
    dom::object object;
    if (document.get_object().get(object)) {
      return type_error(field, "a string or an object", document);
    }
    RERANKD_ASSIGN_OR_RETURN(std::string text, object_text(object, field, rank_fields));
    input.request.documents.push_back(std::move(text));
    if (keep_json) input.documents_json.push_back(simdjson::minify(document));
  }
  return Status::ok_status();
}

void append_meta(std::string& out, CohereApi api, const engine::RerankResponse& response,
                 std::size_t documents) {
  out += ",\"meta\":{\"api_version\":{\"version\":";
  out += api == CohereApi::kV1 ? "\"1\"" : "\"2\"";
  out += "},\"billed_units\":{\"search_units\":";
  json::append_number(out, static_cast<std::int64_t>(cohere_search_units(documents)));
  out += "},\"tokens\":{\"input_tokens\":";
  json::append_number(out, static_cast<std::int64_t>(response.total_tokens));
  out += ",\"output_tokens\":0}}";
}

}  // namespace

std::size_t cohere_search_units(std::size_t documents) {
  return documents == 0 ? 1 : (documents + 99) / 100;
}

Result<CohereRerankInput> decode_cohere_rerank(std::string_view body, const DecodeLimits& limits,
                                               CohereApi api) {
  RERANKD_ASSIGN_OR_RETURN(dom::object object, parse_object(body));
  const bool v1 = api == CohereApi::kV1;
  if (v1) {
    RERANKD_RETURN_IF_ERROR(
        check_known_fields(object,
                           {"model", "query", "documents", "top_n", "rank_fields",
                            "return_documents", "max_chunks_per_doc", "raw_scores", "truncate"},
                           "/v1/rerank"));
  } else {
    RERANKD_RETURN_IF_ERROR(
        check_known_fields(object,
                           {"model", "query", "documents", "top_n", "max_tokens_per_doc",
                            "priority", "raw_scores", "truncate"},
                           "/v2/rerank"));
  }
  RERANKD_RETURN_IF_ERROR(refuse_unsupported(object));
  CohereRerankInput input;

  std::optional<dom::element> model = find_field(object, "model");
  if (model && !model->is_null()) {
    RERANKD_ASSIGN_OR_RETURN(std::string_view name, as_string(*model, "model"));
    input.model = std::string(name);
  }
  RERANKD_ASSIGN_OR_RETURN(std::string_view query, required_string(object, "query"));
  input.request.query = std::string(query);

  std::vector<std::string> rank_fields;
  if (v1) {
    RERANKD_ASSIGN_OR_RETURN(rank_fields, decode_rank_fields(object));
    RERANKD_ASSIGN_OR_RETURN(input.return_documents,
                             optional_bool(object, "return_documents", false));
  }
  RERANKD_ASSIGN_OR_RETURN(dom::array documents, required_array(object, "documents"));
  RERANKD_RETURN_IF_ERROR(check_batch_size("documents", documents.size(), limits));
  RERANKD_RETURN_IF_ERROR(
      decode_documents(documents, api, rank_fields, input.return_documents, input));

  RERANKD_ASSIGN_OR_RETURN(const std::int64_t top_n, optional_positive_int(object, "top_n"));
  input.request.top_n = static_cast<std::size_t>(top_n);
  if (!v1) {
    RERANKD_ASSIGN_OR_RETURN(const std::int64_t max_tokens,
                             optional_positive_int(object, "max_tokens_per_doc"));
    input.request.truncation.max_document_tokens =
        static_cast<int>(std::min<std::int64_t>(max_tokens, 1 << 30));
  }
  RERANKD_ASSIGN_OR_RETURN(bool raw_scores, optional_bool(object, "raw_scores", false));
  input.request.mode = raw_scores ? engine::ScoreMode::kRaw : engine::ScoreMode::kActivated;
  RERANKD_ASSIGN_OR_RETURN(input.request.truncation.enabled, decode_truncate(object, limits));
  return input;
}

std::string encode_cohere_rerank(const engine::RerankResponse& response,
                                 const CohereReplyContext& context) {
  std::string out;
  out.reserve(48 * response.ranked.size() + 256);
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
    if (context.documents_json != nullptr && ranked.index < context.documents_json->size()) {
      out += ",\"document\":";
      out += (*context.documents_json)[ranked.index];
    }
    out += '}';
  }
  out += ']';
  append_meta(out, context.api, response, context.documents);
  if (context.api == CohereApi::kV1) {
    // Jina's fields, which its clients read.
    out += ",\"model\":";
    json::append_string(out, context.model);
    out += ",\"usage\":{\"total_tokens\":";
    json::append_number(out, static_cast<std::int64_t>(response.total_tokens));
    out += '}';
  }
  out += '}';
  return out;
}

}  // namespace rerankd::http::codecs
