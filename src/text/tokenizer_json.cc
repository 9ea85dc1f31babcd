// Loading a Hugging Face tokenizer.json (the `tokenizers` serialization format).
#include <string>
#include <utility>

#include "common/file.h"
#include "text/json_fields.h"
#include "text/tokenizer_spec.h"

namespace rerankd::text {
namespace {

using simdjson::dom::element;

// The "type" of a component object, "null" when the component is null or absent.
std::string type_of(const std::optional<element>& component) {
  if (json::is_null(component)) return "null";
  const auto type = json::member(*component, "type");
  std::string_view name;
  if (!type || type->get(name) != simdjson::SUCCESS) return "<no type>";
  return std::string(name);
}

Status unsupported(const std::string& file, std::string_view component, const std::string& type,
                   std::string_view supported) {
  return failed_precondition(file + ": unsupported " + std::string(component) + " type '" + type +
                             "' (rerankd supports " + std::string(supported) + ")");
}

Status read_normalizer(element doc, const std::string& file, BertNormalizerOptions& options) {
  const auto normalizer = json::member(doc, "normalizer");
  const std::string type = type_of(normalizer);
  if (type != "BertNormalizer") return unsupported(file, "normalizer", type, "BertNormalizer");
  RERANKD_ASSIGN_OR_RETURN(options.clean_text,
                           json::get_bool(*normalizer, "clean_text", true, file));
  RERANKD_ASSIGN_OR_RETURN(options.handle_chinese_chars,
                           json::get_bool(*normalizer, "handle_chinese_chars", true, file));
  RERANKD_ASSIGN_OR_RETURN(options.lowercase, json::get_bool(*normalizer, "lowercase", true, file));
  // HF: strip_accents.unwrap_or(lowercase).
  RERANKD_ASSIGN_OR_RETURN(options.strip_accents,
                           json::get_bool(*normalizer, "strip_accents", options.lowercase, file));
  return Status::ok_status();
}

Status read_model(element doc, const std::string& file, TokenizerSpec& spec) {
  const auto model = json::member(doc, "model");
  const std::string type = type_of(model);
  if (type != "WordPiece") return unsupported(file, "model", type, "WordPiece");
  RERANKD_ASSIGN_OR_RETURN(spec.wordpiece.unk_token,
                           json::get_string(*model, "unk_token", "[UNK]", file));
  RERANKD_ASSIGN_OR_RETURN(spec.wordpiece.continuing_subword_prefix,
                           json::get_string(*model, "continuing_subword_prefix", "##", file));
  RERANKD_ASSIGN_OR_RETURN(const std::int64_t max_chars,
                           json::get_int(*model, "max_input_chars_per_word", 100, file));
  if (max_chars < 0 || max_chars > 1'000'000'000) {
    return invalid_argument(file + ": model.max_input_chars_per_word " + std::to_string(max_chars) +
                            " is out of range");
  }
  spec.wordpiece.max_input_chars_per_word = static_cast<int>(max_chars);
  const auto vocab = json::member(*model, "vocab");
  simdjson::dom::object entries;
  if (!vocab || vocab->get(entries) != simdjson::SUCCESS) {
    return invalid_argument(file + ": model.vocab must be an object of token -> id");
  }
  for (const auto field : entries) {
    std::int64_t id;
    if (field.value.get(id) != simdjson::SUCCESS || id < 0 || id > INT32_MAX) {
      return invalid_argument(file + ": model.vocab['" + std::string(field.key) +
                              "'] is not a valid id");
    }
    RERANKD_RETURN_IF_ERROR(spec.vocab.add(field.key, static_cast<std::int32_t>(id)));
  }
  if (spec.vocab.size() == 0) return invalid_argument(file + ": model.vocab is empty");
  return Status::ok_status();
}

Status read_added_tokens(element doc, const std::string& file, TokenizerSpec& spec) {
  const auto added = json::member(doc, "added_tokens");
  if (json::is_null(added)) return Status::ok_status();
  simdjson::dom::array tokens;
  if (added->get(tokens) != simdjson::SUCCESS) {
    return invalid_argument(file + ": added_tokens must be an array");
  }
  for (const element token : tokens) {
    AddedToken entry;
    RERANKD_ASSIGN_OR_RETURN(entry.content, json::get_string(token, "content", "", file));
    RERANKD_ASSIGN_OR_RETURN(const std::int64_t id, json::get_int(token, "id", -1, file));
    if (id < 0 || id > INT32_MAX) {
      return invalid_argument(file + ": added token '" + entry.content + "' has no valid id");
    }
    entry.id = static_cast<std::int32_t>(id);
    RERANKD_ASSIGN_OR_RETURN(const bool normalized,
                             json::get_bool(token, "normalized", true, file));
    RERANKD_ASSIGN_OR_RETURN(const bool single_word,
                             json::get_bool(token, "single_word", false, file));
    // lstrip/rstrip only eat whitespace next to the token, which BertPreTokenizer drops anyway,
    // so they cannot change ids and need no code.
    if (normalized || single_word) {
      return failed_precondition(file + ": added token '" + entry.content +
                                 "' uses normalized=true or single_word=true, which rerankd "
                                 "does not support");
    }
    spec.added_tokens.push_back(std::move(entry));
  }
  return Status::ok_status();
}

// Ids of a special token named in the template, from post_processor.special_tokens.
Result<std::vector<std::int32_t>> template_special_ids(element processor, std::string_view name,
                                                       const std::string& file) {
  const auto specials = json::member(processor, "special_tokens");
  const auto entry = specials ? json::member(*specials, name) : std::nullopt;
  simdjson::dom::array ids;
  if (!entry || json::member(*entry, "ids").value_or(element()).get(ids) != simdjson::SUCCESS) {
    return invalid_argument(file + ": post_processor.special_tokens has no ids for '" +
                            std::string(name) + "'");
  }
  std::vector<std::int32_t> result;
  for (const element id : ids) {
    std::int64_t value;
    if (id.get(value) != simdjson::SUCCESS || value < 0 || value > INT32_MAX) {
      return invalid_argument(file + ": post_processor.special_tokens['" + std::string(name) +
                              "'] has an invalid id");
    }
    result.push_back(static_cast<std::int32_t>(value));
  }
  return result;
}

Result<PairTemplate> read_template(element processor, const std::string& file) {
  simdjson::dom::array items;
  if (json::member(processor, "pair").value_or(element()).get(items) != simdjson::SUCCESS) {
    return invalid_argument(file + ": post_processor.pair must be an array");
  }
  std::vector<TemplatePiece> pieces;
  for (const element item : items) {
    TemplatePiece piece;
    std::optional<element> body = json::member(item, "SpecialToken");
    if (body) {
      piece.kind = TemplatePiece::Kind::kSpecial;
      RERANKD_ASSIGN_OR_RETURN(const std::string name, json::get_string(*body, "id", "", file));
      RERANKD_ASSIGN_OR_RETURN(piece.ids, template_special_ids(processor, name, file));
    } else if ((body = json::member(item, "Sequence"))) {
      RERANKD_ASSIGN_OR_RETURN(const std::string which, json::get_string(*body, "id", "", file));
      if (which != "A" && which != "B") {
        return invalid_argument(file + ": post_processor.pair names sequence '" + which + "'");
      }
      piece.kind = which == "A" ? TemplatePiece::Kind::kFirst : TemplatePiece::Kind::kSecond;
    } else {
      return invalid_argument(file +
                              ": post_processor.pair has an item that is neither "
                              "SpecialToken nor Sequence");
    }
    RERANKD_ASSIGN_OR_RETURN(const std::int64_t type_id, json::get_int(*body, "type_id", 0, file));
    piece.type_id = static_cast<std::int32_t>(type_id);
    pieces.push_back(std::move(piece));
  }
  return PairTemplate(std::move(pieces));
}

// BertProcessing stores "cls": ["[CLS]", 101] and "sep": ["[SEP]", 102].
Result<std::int32_t> bert_processing_id(element processor, std::string_view key,
                                        const std::string& file) {
  simdjson::dom::array pair;
  std::int64_t id = -1;
  if (json::member(processor, key).value_or(element()).get(pair) != simdjson::SUCCESS ||
      pair.size() != 2 || pair.at(1).get(id) != simdjson::SUCCESS || id < 0 || id > INT32_MAX) {
    return invalid_argument(file + ": post_processor." + std::string(key) + " must be [token, id]");
  }
  return static_cast<std::int32_t>(id);
}

Status read_post_processor(element doc, const std::string& file, TokenizerSpec& spec) {
  const auto processor = json::member(doc, "post_processor");
  const std::string type = type_of(processor);
  if (type == "TemplateProcessing") {
    RERANKD_ASSIGN_OR_RETURN(spec.pair_template, read_template(*processor, file));
  } else if (type == "BertProcessing") {
    RERANKD_ASSIGN_OR_RETURN(const std::int32_t cls, bert_processing_id(*processor, "cls", file));
    RERANKD_ASSIGN_OR_RETURN(const std::int32_t sep, bert_processing_id(*processor, "sep", file));
    spec.pair_template = PairTemplate::bert(cls, sep);
  } else {
    return unsupported(file, "post_processor", type, "TemplateProcessing or BertProcessing");
  }
  // [CLS] is the first special token of the pair template, [SEP] the one after sequence A.
  const auto& pieces = spec.pair_template.pieces();
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (pieces[i].kind != TemplatePiece::Kind::kSpecial || pieces[i].ids.empty()) continue;
    if (spec.special_ids.cls < 0 && i == 0) spec.special_ids.cls = pieces[i].ids[0];
    if (spec.special_ids.sep < 0 && i > 0 && pieces[i - 1].kind == TemplatePiece::Kind::kFirst) {
      spec.special_ids.sep = pieces[i].ids[0];
    }
  }
  return Status::ok_status();
}

}  // namespace

Result<TokenizerSpec> load_tokenizer_json(const std::filesystem::path& file) {
  const std::string name = file.string();
  RERANKD_ASSIGN_OR_RETURN(const std::string content, read_file(file));
  simdjson::dom::parser parser;
  element doc;
  RERANKD_RETURN_IF_ERROR(json::parse(parser, content, name, doc));

  TokenizerSpec spec;
  spec.source = "tokenizer.json";
  RERANKD_RETURN_IF_ERROR(read_model(doc, name, spec));
  RERANKD_RETURN_IF_ERROR(read_normalizer(doc, name, spec.normalizer));
  const std::string pre_tokenizer = type_of(json::member(doc, "pre_tokenizer"));
  if (pre_tokenizer != "BertPreTokenizer") {
    return unsupported(name, "pre_tokenizer", pre_tokenizer, "BertPreTokenizer");
  }
  RERANKD_RETURN_IF_ERROR(read_added_tokens(doc, name, spec));
  RERANKD_RETURN_IF_ERROR(read_post_processor(doc, name, spec));
  spec.special_ids.unk = spec.vocab.find(spec.wordpiece.unk_token);
  spec.special_ids.pad = spec.vocab.find("[PAD]");
  const auto padding = json::member(doc, "padding");
  if (!json::is_null(padding)) {
    RERANKD_ASSIGN_OR_RETURN(const std::int64_t pad_id,
                             json::get_int(*padding, "pad_id", spec.special_ids.pad, name));
    spec.special_ids.pad = static_cast<std::int32_t>(pad_id);
  }
  return spec;
}

}  // namespace rerankd::text
