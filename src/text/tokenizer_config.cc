// Loading vocab.txt with transformers' tokenizer_config.json (the BertTokenizer save format).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/file.h"
#include "text/added_token_ids.h"
#include "text/json_fields.h"
#include "text/tokenizer_spec.h"

namespace rerankd::text {
namespace {

using simdjson::dom::element;

struct SpecialTokenNames {
  std::string unk = "[UNK]";
  std::string sep = "[SEP]";
  std::string pad = "[PAD]";
  std::string cls = "[CLS]";
  std::string mask = "[MASK]";
};

// A special token is either "[CLS]" or an AddedToken object {"content": "[CLS]", ...}.
Status read_special_name(element config, std::string_view key, const std::string& file,
                         std::string& name) {
  const auto value = json::member(config, key);
  if (json::is_null(value)) return Status::ok_status();
  std::string_view text;
  if (value->get(text) == simdjson::SUCCESS) {
    name = std::string(text);
    return Status::ok_status();
  }
  RERANKD_ASSIGN_OR_RETURN(name, json::get_string(*value, "content", name, file));
  return Status::ok_status();
}

// The five names, as tokenizer_config.json and special_tokens_map.json both give them.
Status read_special_names(element object, const std::string& file, SpecialTokenNames& names) {
  RERANKD_RETURN_IF_ERROR(read_special_name(object, "unk_token", file, names.unk));
  RERANKD_RETURN_IF_ERROR(read_special_name(object, "sep_token", file, names.sep));
  RERANKD_RETURN_IF_ERROR(read_special_name(object, "pad_token", file, names.pad));
  RERANKD_RETURN_IF_ERROR(read_special_name(object, "cls_token", file, names.cls));
  return read_special_name(object, "mask_token", file, names.mask);
}

Status read_config(const std::filesystem::path& path, TokenizerSpec& spec,
                   SpecialTokenNames& names) {
  const std::string file = path.string();
  RERANKD_ASSIGN_OR_RETURN(const std::string content, read_file(path));
  simdjson::dom::parser parser;
  element config;
  RERANKD_RETURN_IF_ERROR(json::parse(parser, content, file, config));

  RERANKD_ASSIGN_OR_RETURN(const std::string tokenizer_class,
                           json::get_string(config, "tokenizer_class", "BertTokenizer", file));
  if (tokenizer_class.find("Bert") == std::string::npos) {
    return failed_precondition(file + ": unsupported tokenizer_class '" + tokenizer_class +
                               "' with vocab.txt (rerankd supports BertTokenizer)");
  }
  BertNormalizerOptions n;
  RERANKD_ASSIGN_OR_RETURN(n.lowercase, json::get_bool(config, "do_lower_case", true, file));
  RERANKD_ASSIGN_OR_RETURN(n.strip_accents,
                           json::get_bool(config, "strip_accents", n.lowercase, file));
  RERANKD_ASSIGN_OR_RETURN(n.handle_chinese_chars,
                           json::get_bool(config, "tokenize_chinese_chars", true, file));
  spec.normalizer = Normalizer({BertNormalizer(n)});
  RERANKD_RETURN_IF_ERROR(read_special_names(config, file, names));

  // Tokens registered beyond the special ones ("added_tokens_decoder": {"id": {...}}), added in
  // the order of their keys as transformers adds them, each with the id it gives
  // (added_token_ids.h).
  const auto decoder = json::member(config, "added_tokens_decoder");
  simdjson::dom::object entries;
  std::vector<AddedToken> listed;
  if (!json::is_null(decoder) && decoder->get(entries) == simdjson::SUCCESS) {
    for (const auto field : entries) {
      AddedToken token;
      RERANKD_ASSIGN_OR_RETURN(token.content, json::get_string(field.value, "content", "", file));
      RERANKD_ASSIGN_OR_RETURN(const bool normalized,
                               json::get_bool(field.value, "normalized", true, file));
      RERANKD_ASSIGN_OR_RETURN(const bool single_word,
                               json::get_bool(field.value, "single_word", false, file));
      if (normalized || single_word) {
        return failed_precondition(file + ": added token '" + token.content +
                                   "' uses normalized=true or single_word=true, which rerankd "
                                   "does not support");
      }
      try {
        token.id = std::stoi(std::string(field.key));
      } catch (...) {  // a malformed key must not escape as an exception
        return invalid_argument(file + ": added_tokens_decoder key '" + std::string(field.key) +
                                "' is not an id");
      }
      listed.push_back(std::move(token));
    }
  }
  std::stable_sort(listed.begin(), listed.end(),
                   [](const AddedToken& a, const AddedToken& b) { return a.id < b.id; });
  for (AddedToken& token : listed) add_added_token(spec.vocab, std::move(token), spec.added_tokens);
  return Status::ok_status();
}

// special_tokens_map.json names the special tokens too; transformers applies it over
// tokenizer_config.json's names when it loads a BertTokenizer.
Status read_special_tokens_map(const std::filesystem::path& path, SpecialTokenNames& names) {
  const std::string file = path.string();
  RERANKD_ASSIGN_OR_RETURN(const std::string content, read_file(path));
  simdjson::dom::parser parser;
  element map;
  RERANKD_RETURN_IF_ERROR(json::parse(parser, content, file, map));
  if (!map.is_object()) return invalid_argument(file + ": top level is not a JSON object");
  return read_special_names(map, file, names);
}

}  // namespace

Result<TokenizerSpec> load_vocab_txt(const std::filesystem::path& vocab,
                                     const std::filesystem::path& config,
                                     const std::filesystem::path& special_tokens_map) {
  TokenizerSpec spec;
  spec.source = "vocab.txt";
  RERANKD_ASSIGN_OR_RETURN(spec.vocab, Vocab::from_vocab_txt(vocab));
  spec.normalizer = Normalizer({BertNormalizer()});
  spec.pre_tokenizer = PreTokenizer({BertPreTokenizerStep{}});
  spec.decoder = WordPieceDecoder{};
  SpecialTokenNames names;
  if (!config.empty()) RERANKD_RETURN_IF_ERROR(read_config(config, spec, names));
  if (!special_tokens_map.empty()) {
    RERANKD_RETURN_IF_ERROR(read_special_tokens_map(special_tokens_map, names));
  }
  WordPieceOptions wordpiece;
  wordpiece.unk_token = names.unk;
  spec.model = std::move(wordpiece);

  const std::string file = vocab.string();
  const auto require = [&](const std::string& token) -> Result<std::int32_t> {
    const std::int32_t id = spec.vocab.find(token);
    if (id < 0) return invalid_argument(file + ": special token '" + token + "' is not in it");
    return id;
  };
  RERANKD_ASSIGN_OR_RETURN(spec.special_ids.cls, require(names.cls));
  RERANKD_ASSIGN_OR_RETURN(spec.special_ids.sep, require(names.sep));
  RERANKD_ASSIGN_OR_RETURN(spec.special_ids.unk, require(names.unk));
  spec.special_ids.pad = spec.vocab.find(names.pad);
  spec.pair_template = PairTemplate::bert(spec.special_ids.cls, spec.special_ids.sep);
  // Like BertWordPieceTokenizer / BertTokenizerFast: the special tokens in the vocabulary are
  // added tokens, matched in the raw text.
  for (const std::string* name : {&names.sep, &names.cls, &names.pad, &names.mask, &names.unk}) {
    if (spec.vocab.find(*name) >= 0) add_added_token(spec.vocab, {*name}, spec.added_tokens);
  }
  return spec;
}

}  // namespace rerankd::text
