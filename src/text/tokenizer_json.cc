// Loading a Hugging Face tokenizer.json (the `tokenizers` serialization format).
#include <algorithm>
#include <charconv>
#include <string>
#include <utility>

#include "common/file.h"
#include "text/added_token_ids.h"
#include "text/base64.h"
#include "text/json_fields.h"
#include "text/tokenizer_spec.h"
#include "text/utf8.h"

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

Result<BertNormalizerOptions> bert_normalizer_options(element normalizer, const std::string& file) {
  BertNormalizerOptions options;
  RERANKD_ASSIGN_OR_RETURN(options.clean_text,
                           json::get_bool(normalizer, "clean_text", true, file));
  RERANKD_ASSIGN_OR_RETURN(options.handle_chinese_chars,
                           json::get_bool(normalizer, "handle_chinese_chars", true, file));
  RERANKD_ASSIGN_OR_RETURN(options.lowercase, json::get_bool(normalizer, "lowercase", true, file));
  // HF: strip_accents.unwrap_or(lowercase).
  RERANKD_ASSIGN_OR_RETURN(options.strip_accents,
                           json::get_bool(normalizer, "strip_accents", options.lowercase, file));
  return options;
}

// The one regex form tokenizer.json normalizers use, a character repeated at least n times
// (" {2,}"), or a pattern with no special characters at all.
Result<ReplaceStep> replace_pattern(std::string_view regex, const std::string& file) {
  constexpr std::string_view kSpecial = "\\^$.|?*+()[]{}";
  ReplaceStep step;
  if (regex.find_first_of(kSpecial) == std::string_view::npos) {
    step.literal = std::string(regex);
    return step;
  }
  const std::size_t brace = regex.find('{');
  if (brace != std::string_view::npos && regex.back() == '}' && brace > 0) {
    std::string_view unit = regex.substr(0, brace);
    if (unit.size() == 2 && unit[0] == '\\') unit.remove_prefix(1);
    const std::string_view count = regex.substr(brace + 1, regex.size() - brace - 2);
    const bool single = unit.size() == 1 && kSpecial.find(unit[0]) == std::string_view::npos;
    if ((single || (unit.size() == 1 && regex[0] == '\\')) && count.size() >= 2 &&
        count.back() == ',' && count.find_first_not_of("0123456789") == count.size() - 1) {
      step.literal = std::string(unit);
      // from_chars, not stoi: a count past int's range (" {2555...5,}", found by
      // fuzz_tokenizer_json) made stoi throw out of the loader and terminate the process.
      const std::string_view digits = count.substr(0, count.size() - 1);
      const auto parsed =
          std::from_chars(digits.data(), digits.data() + digits.size(), step.min_repeat);
      if (parsed.ec == std::errc() && step.min_repeat >= 1 && step.min_repeat <= 1000) {
        return step;
      }
    }
  }
  return failed_precondition(file + ": unsupported Replace regex '" + std::string(regex) +
                             "' (rerankd supports literal text and 'c{n,}')");
}

Status read_normalizer_step(element normalizer, const std::string& file,
                            std::vector<NormalizerStep>& steps) {
  const std::string type = type_of(normalizer);
  if (type == "Sequence") {
    simdjson::dom::array items;
    if (!json::read_member(normalizer, "normalizers", items)) {
      return invalid_argument(file + ": normalizer Sequence needs a normalizers array");
    }
    for (const element item : items)
      RERANKD_RETURN_IF_ERROR(read_normalizer_step(item, file, steps));
  } else if (type == "BertNormalizer") {
    RERANKD_ASSIGN_OR_RETURN(const auto options, bert_normalizer_options(normalizer, file));
    steps.emplace_back(BertNormalizer(options));
  } else if (type == "Precompiled") {
    const auto charsmap = json::member(normalizer, "precompiled_charsmap");
    if (json::is_null(charsmap)) return Status::ok_status();  // HF: no map, no change
    std::string_view encoded;
    if (charsmap->get(encoded) != simdjson::SUCCESS) {
      return invalid_argument(file + ": precompiled_charsmap must be a base64 string");
    }
    const auto bytes = decode_base64(encoded);
    if (!bytes) return invalid_argument(file + ": precompiled_charsmap is not valid base64");
    auto parsed = PrecompiledCharsmap::parse(*bytes);
    if (!parsed.ok()) return parsed.status().with_context(file);
    steps.emplace_back(std::make_shared<const PrecompiledCharsmap>(std::move(parsed).value()));
  } else if (type == "Replace") {
    const auto pattern = json::member(normalizer, "pattern");
    if (json::is_null(pattern)) return invalid_argument(file + ": Replace needs a pattern");
    ReplaceStep step;
    std::string_view text;
    if (json::read_member(*pattern, "String", text)) {
      step.literal = std::string(text);
    } else if (json::read_member(*pattern, "Regex", text)) {
      RERANKD_ASSIGN_OR_RETURN(step, replace_pattern(text, file));
    } else {
      return invalid_argument(file + ": Replace pattern must be {\"String\"} or {\"Regex\"}");
    }
    if (step.literal.empty()) return invalid_argument(file + ": Replace pattern is empty");
    RERANKD_ASSIGN_OR_RETURN(step.content, json::get_string(normalizer, "content", "", file));
    steps.emplace_back(std::move(step));
  } else if (type == "Strip") {
    StripStep step;
    RERANKD_ASSIGN_OR_RETURN(step.left, json::get_bool(normalizer, "strip_left", true, file));
    RERANKD_ASSIGN_OR_RETURN(step.right, json::get_bool(normalizer, "strip_right", true, file));
    steps.emplace_back(step);
  } else if (type == "Prepend") {
    PrependStep step;
    RERANKD_ASSIGN_OR_RETURN(step.prefix, json::get_string(normalizer, "prepend", "", file));
    steps.emplace_back(std::move(step));
  } else if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD") {
    const UnicodeForm form = type == "NFC"    ? UnicodeForm::kNfc
                             : type == "NFD"  ? UnicodeForm::kNfd
                             : type == "NFKC" ? UnicodeForm::kNfkc
                                              : UnicodeForm::kNfkd;
    steps.emplace_back(UnicodeFormStep{form});
  } else if (type == "Lowercase") {
    steps.emplace_back(LowercaseStep{});
  } else {
    return unsupported(file, "normalizer", type,
                       "BertNormalizer, Precompiled, Replace, Strip, Prepend, NFC, NFD, NFKC, "
                       "NFKD, Lowercase and Sequence");
  }
  return Status::ok_status();
}

Status read_normalizer(element doc, const std::string& file, Normalizer& normalizer) {
  const auto component = json::member(doc, "normalizer");
  if (json::is_null(component)) return Status::ok_status();
  std::vector<NormalizerStep> steps;
  RERANKD_RETURN_IF_ERROR(read_normalizer_step(*component, file, steps));
  normalizer = Normalizer(std::move(steps));
  return Status::ok_status();
}

// Metaspace's prepend_scheme, or the older add_prefix_space flag it replaced.
Result<PrependScheme> prepend_scheme(element component, const std::string& file) {
  RERANKD_ASSIGN_OR_RETURN(const std::string scheme,
                           json::get_string(component, "prepend_scheme", "", file));
  if (scheme.empty()) {
    RERANKD_ASSIGN_OR_RETURN(const bool add,
                             json::get_bool(component, "add_prefix_space", true, file));
    return add ? PrependScheme::kAlways : PrependScheme::kNever;
  }
  if (scheme == "always") return PrependScheme::kAlways;
  if (scheme == "first") return PrependScheme::kFirst;
  if (scheme == "never") return PrependScheme::kNever;
  return invalid_argument(file + ": unknown Metaspace prepend_scheme '" + scheme + "'");
}

Result<std::string> metaspace_replacement(element component, const std::string& file) {
  RERANKD_ASSIGN_OR_RETURN(std::string replacement,
                           json::get_string(component, "replacement", "\xE2\x96\x81", file));
  if (replacement.empty() || count_code_points(replacement) != 1) {
    return invalid_argument(file + ": Metaspace replacement must be one character");
  }
  return replacement;
}

Status read_pre_tokenizer_step(element component, const std::string& file,
                               std::vector<PreTokenizerStep>& steps) {
  const std::string type = type_of(component);
  if (type == "Sequence") {
    simdjson::dom::array items;
    if (!json::read_member(component, "pretokenizers", items)) {
      return invalid_argument(file + ": pre_tokenizer Sequence needs a pretokenizers array");
    }
    for (const element item : items) {
      RERANKD_RETURN_IF_ERROR(read_pre_tokenizer_step(item, file, steps));
    }
  } else if (type == "BertPreTokenizer") {
    steps.emplace_back(BertPreTokenizerStep{});
  } else if (type == "WhitespaceSplit") {
    steps.emplace_back(WhitespaceSplitStep{});
  } else if (type == "Metaspace") {
    MetaspaceStep step;
    RERANKD_ASSIGN_OR_RETURN(step.replacement, metaspace_replacement(component, file));
    RERANKD_ASSIGN_OR_RETURN(step.prepend_scheme, prepend_scheme(component, file));
    RERANKD_ASSIGN_OR_RETURN(step.split, json::get_bool(component, "split", true, file));
    steps.emplace_back(std::move(step));
  } else {
    return unsupported(file, "pre_tokenizer", type,
                       "BertPreTokenizer, WhitespaceSplit, Metaspace and Sequence");
  }
  return Status::ok_status();
}

Status read_pre_tokenizer(element doc, const std::string& file, PreTokenizer& pre_tokenizer) {
  const auto component = json::member(doc, "pre_tokenizer");
  if (json::is_null(component)) return Status::ok_status();
  std::vector<PreTokenizerStep> steps;
  RERANKD_RETURN_IF_ERROR(read_pre_tokenizer_step(*component, file, steps));
  pre_tokenizer = PreTokenizer(std::move(steps));
  return Status::ok_status();
}

Status read_decoder(element doc, const std::string& file, Decoder& decoder) {
  const auto component = json::member(doc, "decoder");
  const std::string type = type_of(component);
  if (type == "null") {
    decoder = JoinDecoder{};
  } else if (type == "WordPiece") {
    WordPieceDecoder wordpiece;
    RERANKD_ASSIGN_OR_RETURN(wordpiece.prefix, json::get_string(*component, "prefix", "##", file));
    RERANKD_ASSIGN_OR_RETURN(wordpiece.cleanup, json::get_bool(*component, "cleanup", true, file));
    decoder = std::move(wordpiece);
  } else if (type == "Metaspace") {
    MetaspaceDecoder metaspace;
    RERANKD_ASSIGN_OR_RETURN(metaspace.replacement, metaspace_replacement(*component, file));
    RERANKD_ASSIGN_OR_RETURN(metaspace.prepend_scheme, prepend_scheme(*component, file));
    decoder = std::move(metaspace);
  } else {
    decoder = UnsupportedDecoder{type};
  }
  return Status::ok_status();
}

Status read_wordpiece(element model, const std::string& file, TokenizerSpec& spec) {
  WordPieceOptions options;
  RERANKD_ASSIGN_OR_RETURN(options.unk_token, json::get_string(model, "unk_token", "[UNK]", file));
  RERANKD_ASSIGN_OR_RETURN(options.continuing_subword_prefix,
                           json::get_string(model, "continuing_subword_prefix", "##", file));
  RERANKD_ASSIGN_OR_RETURN(const std::int64_t max_chars,
                           json::get_int(model, "max_input_chars_per_word", 100, file));
  if (max_chars < 0 || max_chars > 1'000'000'000) {
    return invalid_argument(file + ": model.max_input_chars_per_word " + std::to_string(max_chars) +
                            " is out of range");
  }
  options.max_input_chars_per_word = static_cast<int>(max_chars);
  const auto vocab = json::member(model, "vocab");
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
  spec.special_ids.unk = spec.vocab.find(options.unk_token);
  spec.model = std::move(options);
  return Status::ok_status();
}

// Unigram's vocab is an array of [piece, score]; a piece's id is its position.
Status read_unigram(element model, const std::string& file, TokenizerSpec& spec) {
  UnigramOptions options;
  RERANKD_ASSIGN_OR_RETURN(const std::int64_t unk_id, json::get_int(model, "unk_id", -1, file));
  RERANKD_ASSIGN_OR_RETURN(options.byte_fallback,
                           json::get_bool(model, "byte_fallback", false, file));
  simdjson::dom::array entries;
  if (!json::read_member(model, "vocab", entries)) {
    return invalid_argument(file + ": model.vocab must be an array of [piece, score]");
  }
  std::int32_t id = 0;
  for (const element entry : entries) {
    simdjson::dom::array pair;
    std::string_view piece;
    double score = 0;
    if (entry.get(pair) != simdjson::SUCCESS || pair.size() != 2 ||
        pair.at(0).get(piece) != simdjson::SUCCESS || pair.at(1).get(score) != simdjson::SUCCESS) {
      return invalid_argument(file + ": model.vocab[" + std::to_string(id) +
                              "] is not [piece, score]");
    }
    RERANKD_RETURN_IF_ERROR(spec.vocab.add(piece, id));
    options.scores.push_back(score);
    ++id;
  }
  if (unk_id < 0 || unk_id >= id) {
    return failed_precondition(file + ": Unigram model.unk_id " + std::to_string(unk_id) +
                               " is not in its vocabulary of " + std::to_string(id) +
                               " pieces (rerankd needs an unknown piece)");
  }
  options.unk_id = static_cast<std::int32_t>(unk_id);
  spec.special_ids.unk = options.unk_id;
  spec.model = std::move(options);
  return Status::ok_status();
}

Status read_model(element doc, const std::string& file, TokenizerSpec& spec) {
  const auto model = json::member(doc, "model");
  const std::string type = type_of(model);
  if (type == "WordPiece") {
    RERANKD_RETURN_IF_ERROR(read_wordpiece(*model, file, spec));
  } else if (type == "Unigram") {
    RERANKD_RETURN_IF_ERROR(read_unigram(*model, file, spec));
  } else {
    return unsupported(file, "model", type, "WordPiece and Unigram");
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
    // Required, as Hugging Face requires it, but the id used is the one it would give
    // (added_token_ids.h).
    if (id < 0 || id > INT32_MAX) {
      return invalid_argument(file + ": added token '" + entry.content + "' has no valid id");
    }
    RERANKD_ASSIGN_OR_RETURN(const bool normalized,
                             json::get_bool(token, "normalized", true, file));
    RERANKD_ASSIGN_OR_RETURN(const bool single_word,
                             json::get_bool(token, "single_word", false, file));
    RERANKD_ASSIGN_OR_RETURN(entry.lstrip, json::get_bool(token, "lstrip", false, file));
    RERANKD_ASSIGN_OR_RETURN(entry.rstrip, json::get_bool(token, "rstrip", false, file));
    if (normalized || single_word) {
      return failed_precondition(file + ": added token '" + entry.content +
                                 "' uses normalized=true or single_word=true, which rerankd "
                                 "does not support");
    }
    add_added_token(spec.vocab, std::move(entry), spec.added_tokens);
  }
  return Status::ok_status();
}

// Ids of a special token named in the template, from post_processor.special_tokens.
Result<std::vector<std::int32_t>> template_special_ids(element processor, std::string_view name,
                                                       const std::string& file) {
  const auto specials = json::member(processor, "special_tokens");
  const auto entry = specials ? json::member(*specials, name) : std::nullopt;
  simdjson::dom::array ids;
  if (!entry || !json::read_member(*entry, "ids", ids)) {
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
  if (!json::read_member(processor, "pair", items)) {
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

// BertProcessing and RobertaProcessing store "cls": ["[CLS]", 101] and "sep": ["[SEP]", 102].
Result<std::int32_t> bert_processing_id(element processor, std::string_view key,
                                        const std::string& file) {
  simdjson::dom::array pair;
  std::int64_t id = -1;
  if (!json::read_member(processor, key, pair) || pair.size() != 2 ||
      pair.at(1).get(id) != simdjson::SUCCESS || id < 0 || id > INT32_MAX) {
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
  } else if (type == "RobertaProcessing") {
    RERANKD_ASSIGN_OR_RETURN(const std::int32_t cls, bert_processing_id(*processor, "cls", file));
    RERANKD_ASSIGN_OR_RETURN(const std::int32_t sep, bert_processing_id(*processor, "sep", file));
    spec.pair_template = PairTemplate::roberta(cls, sep);
  } else {
    return unsupported(file, "post_processor", type,
                       "TemplateProcessing, BertProcessing and RobertaProcessing");
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

// The ids the post-processor and the padding add are used as they are, so one outside the
// vocabulary would reach the model's embedding table unchecked (found by fuzz_tokenizer_json:
// "cls": ["[CLS]", 5] over a vocabulary of 5 tokens).
Status check_special_ids(const TokenizerSpec& spec, const std::string& file) {
  const std::int32_t id_space = text::id_space(spec.vocab, spec.added_tokens);
  const auto outside = [&](std::int32_t id) { return id < 0 || id >= id_space; };
  const std::string range =
      " is outside the vocabulary (ids 0.." + std::to_string(id_space - 1) + ")";
  for (const TemplatePiece& piece : spec.pair_template.pieces()) {
    if (piece.kind != TemplatePiece::Kind::kSpecial) continue;
    for (const std::int32_t id : piece.ids) {
      if (outside(id)) {
        return invalid_argument(file + ": post_processor's special token id " + std::to_string(id) +
                                range);
      }
    }
  }
  if (spec.special_ids.pad >= 0 && outside(spec.special_ids.pad)) {
    return invalid_argument(file + ": padding.pad_id " + std::to_string(spec.special_ids.pad) +
                            range);
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
  RERANKD_RETURN_IF_ERROR(read_pre_tokenizer(doc, name, spec.pre_tokenizer));
  RERANKD_RETURN_IF_ERROR(read_decoder(doc, name, spec.decoder));
  RERANKD_RETURN_IF_ERROR(read_added_tokens(doc, name, spec));
  RERANKD_RETURN_IF_ERROR(read_post_processor(doc, name, spec));
  spec.special_ids.pad = spec.vocab.find("[PAD]");
  if (spec.special_ids.pad < 0) spec.special_ids.pad = spec.vocab.find("<pad>");
  const auto padding = json::member(doc, "padding");
  if (!json::is_null(padding)) {
    RERANKD_ASSIGN_OR_RETURN(const std::int64_t pad_id,
                             json::get_int(*padding, "pad_id", spec.special_ids.pad, name));
    spec.special_ids.pad = static_cast<std::int32_t>(pad_id);
  }
  RERANKD_RETURN_IF_ERROR(check_special_ids(spec, name));
  return spec;
}

}  // namespace rerankd::text
