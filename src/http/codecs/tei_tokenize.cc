#include "http/codecs/tei_tokenize.h"

#include <limits>

#include "common/json_writer.h"
#include "http/codecs/json_input.h"

namespace rerankd::http::codecs {
namespace {

namespace dom = simdjson::dom;

Result<std::vector<std::int32_t>> decode_ids(const dom::array& array, const std::string& field) {
  std::vector<std::int32_t> ids;
  ids.reserve(array.size());
  std::size_t i = 0;
  for (dom::element element : array) {
    std::int64_t id = 0;
    if (element.get_int64().get(id) || id < 0 || id > std::numeric_limits<std::int32_t>::max()) {
      return type_error(field + "[" + std::to_string(i) + "]", "a token id", element);
    }
    ids.push_back(static_cast<std::int32_t>(id));
    ++i;
  }
  return ids;
}

}  // namespace

Result<TeiTokenizeInput> decode_tei_tokenize(std::string_view body, const DecodeLimits& limits) {
  RERANKD_ASSIGN_OR_RETURN(dom::object object, parse_object(body));
  std::optional<dom::element> inputs = find_field(object, "inputs");
  if (!inputs) return invalid_argument("missing field \"inputs\"");
  TeiTokenizeInput input;
  if (inputs->is_string()) {
    RERANKD_ASSIGN_OR_RETURN(std::string_view text, as_string(*inputs, "inputs"));
    input.inputs.emplace_back(text);
  } else {
    dom::array array;
    if (inputs->get_array().get(array)) {
      return type_error("inputs", "a string or a list of strings", *inputs);
    }
    RERANKD_RETURN_IF_ERROR(check_batch_size("inputs", array.size(), limits));
    std::size_t i = 0;
    for (dom::element element : array) {
      RERANKD_ASSIGN_OR_RETURN(std::string_view text,
                               as_string(element, "inputs[" + std::to_string(i++) + "]"));
      input.inputs.emplace_back(text);
    }
  }
  for (const std::string& text : input.inputs) {
    // TEI refuses an empty text as "Empty".
    if (text.empty()) return invalid_argument("an input" + std::string(kEmptyListMessage));
  }
  RERANKD_ASSIGN_OR_RETURN(input.add_special_tokens,
                           optional_bool(object, "add_special_tokens", true));
  std::optional<dom::element> prompt = find_field(object, "prompt_name");
  if (prompt && !prompt->is_null()) {
    return invalid_argument("prompt_name: a cross-encoder has no prompts");
  }
  return input;
}

Result<std::string> encode_tei_tokenize(const TeiTokenizeInput& input,
                                        const text::Tokenizer& tokenizer) {
  std::string out = "[";
  std::vector<text::TokenSpan> spans;
  for (std::size_t n = 0; n < input.inputs.size(); ++n) {
    const std::string& text = input.inputs[n];
    const Status status = tokenizer.tokenize_with_offsets(text, input.add_special_tokens, spans);
    if (!status.ok()) return status.with_context("inputs[" + std::to_string(n) + "]");
    if (n > 0) out += ',';
    out += '[';
    for (std::size_t i = 0; i < spans.size(); ++i) {
      const text::TokenSpan& span = spans[i];
      if (i > 0) out += ',';
      out += "{\"id\":";
      json::append_number(out, static_cast<std::int64_t>(span.id));
      out += ",\"text\":";
      json::append_string(
          out, span.special ? tokenizer.id_to_token(span.id)
                            : std::string_view(text).substr(span.start, span.end - span.start));
      out += span.special ? ",\"special\":true" : ",\"special\":false";
      if (span.special) {
        out += ",\"start\":null,\"stop\":null}";
        continue;
      }
      out += ",\"start\":";
      json::append_number(out, static_cast<std::int64_t>(span.start));
      out += ",\"stop\":";
      json::append_number(out, static_cast<std::int64_t>(span.end));
      out += '}';
    }
    out += ']';
  }
  out += ']';
  return out;
}

Result<TeiDecodeInput> decode_tei_decode(std::string_view body, const DecodeLimits& limits) {
  RERANKD_ASSIGN_OR_RETURN(dom::object object, parse_object(body));
  RERANKD_ASSIGN_OR_RETURN(dom::array ids, required_array(object, "ids"));
  TeiDecodeInput input;
  dom::element first;
  const bool batch =
      ids.size() > 0 && ids.at(0).get(first) == simdjson::SUCCESS && first.is_array();
  if (batch) {
    RERANKD_RETURN_IF_ERROR(check_batch_size("ids", ids.size(), limits));
    std::size_t i = 0;
    for (dom::element element : ids) {
      const std::string field = "ids[" + std::to_string(i++) + "]";
      dom::array inner;
      if (element.get_array().get(inner)) return type_error(field, "a list of token ids", element);
      if (inner.size() == 0) return invalid_argument(field + std::string(kEmptyListMessage));
      RERANKD_ASSIGN_OR_RETURN(auto decoded, decode_ids(inner, field));
      input.ids.push_back(std::move(decoded));
    }
  } else {
    if (ids.size() == 0) return invalid_argument("ids" + std::string(kEmptyListMessage));
    RERANKD_ASSIGN_OR_RETURN(auto decoded, decode_ids(ids, "ids"));
    input.ids.push_back(std::move(decoded));
  }
  RERANKD_ASSIGN_OR_RETURN(input.skip_special_tokens,
                           optional_bool(object, "skip_special_tokens", true));
  return input;
}

Result<std::string> encode_tei_decode(const TeiDecodeInput& input,
                                      const text::Tokenizer& tokenizer) {
  std::string out = "[";
  for (std::size_t n = 0; n < input.ids.size(); ++n) {
    Result<std::string> text = tokenizer.decode(input.ids[n], input.skip_special_tokens);
    if (!text.ok()) return text.status().with_context("ids[" + std::to_string(n) + "]");
    if (n > 0) out += ',';
    json::append_string(out, *text);
  }
  out += ']';
  return out;
}

}  // namespace rerankd::http::codecs
