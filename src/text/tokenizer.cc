#include "text/tokenizer.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <variant>

#include "common/file.h"
#include "text/added_token_ids.h"
#include "text/tokenizer_spec.h"
#include "text/truncation.h"
#include "text/utf8.h"

namespace rerankd::text {

class TokenizerImpl {
 public:
  explicit TokenizerImpl(TokenizerSpec spec) : spec_(std::move(spec)), added_(spec_.added_tokens) {}

  // Builds the model from the spec this object owns (Unigram keeps a pointer to its vocabulary).
  Status create_model() {
    if (const auto* options = std::get_if<WordPieceOptions>(&spec_.model)) {
      RERANKD_ASSIGN_OR_RETURN(auto model, WordPiece::create(spec_.vocab, *options));
      model_ = std::move(model);
    } else {
      RERANKD_ASSIGN_OR_RETURN(auto model,
                               Unigram::create(spec_.vocab, std::get<UnigramOptions>(spec_.model)));
      model_ = std::move(model);
    }
    return Status::ok_status();
  }

  // Appends the model ids of `text` (valid UTF-8).
  void tokenize(std::string_view text, std::vector<std::int32_t>& ids) const {
    // Per-thread scratch: the tokenizer is shared across threads and allocates nothing per call
    // once these have grown.
    thread_local Words words;
    bool at_text_start = true;
    added_.split(
        text,
        [&](std::string_view segment) {
          words.text.clear();
          words.origin.clear();
          spec_.normalizer.normalize(segment, words.text);
          spec_.pre_tokenizer.pre_tokenize(words, at_text_start && segment.data() == text.data());
          for (const Words::Range& range : words.ranges) tokenize_word(words.word(range), ids);
        },
        [&](std::int32_t id, std::size_t, std::size_t) {
          ids.push_back(id);
          at_text_start = false;
        });
  }

  // tokenize() with each token's byte span in `text`: the normalizer and pre-tokenizer carry,
  // for every byte they write, the span of the original text it came from.
  void tokenize_with_offsets(std::string_view text, std::vector<TokenSpan>& out) const {
    added_.split(
        text,
        [&](std::string_view segment) {
          spans_of_segment(segment, static_cast<std::size_t>(segment.data() - text.data()), out);
        },
        [&](std::int32_t id, std::size_t start, std::size_t end) {
          out.push_back({id, start, end, false});
        });
  }

  bool is_added(std::int32_t id) const {
    return find_added_token(spec_.added_tokens, id) != nullptr;
  }

  const TokenizerSpec& spec() const { return spec_; }
  const char* model_name() const {
    return std::holds_alternative<WordPiece>(model_) ? "WordPiece" : "Unigram";
  }

 private:
  void tokenize_word(std::string_view word, std::vector<std::int32_t>& ids,
                     std::vector<std::size_t>* ends = nullptr) const {
    if (const auto* unigram = std::get_if<Unigram>(&model_)) {
      unigram->tokenize_word(word, ids, ends);
      return;
    }
    const auto& wordpiece = std::get<WordPiece>(model_);
    const std::size_t first = ids.size();
    wordpiece.tokenize_word(word, ids);
    if (ends != nullptr) wordpiece_ends(word, ids.data() + first, ids.size() - first, *ends);
  }

  // Where each WordPiece token of `word` ends: pieces are the word's bytes in order (without the
  // continuation prefix); the unknown token stands for the whole word.
  void wordpiece_ends(std::string_view word, const std::int32_t* pieces, std::size_t count,
                      std::vector<std::size_t>& ends) const {
    const std::string_view prefix = std::get<WordPiece>(model_).options().continuing_subword_prefix;
    std::size_t offset = 0;
    for (std::size_t i = 0; i < count; ++i) {
      std::size_t length = word.size();
      if (pieces[i] != spec_.special_ids.unk || count > 1) {
        std::string_view piece = spec_.vocab.token(pieces[i]);
        if (i > 0 && piece.starts_with(prefix)) piece.remove_prefix(prefix.size());
        length = std::min(piece.size(), word.size() - offset);
      }
      offset += length;
      ends.push_back(offset);
    }
  }

  void spans_of_segment(std::string_view segment, std::size_t base,
                        std::vector<TokenSpan>& out) const {
    Words words;
    spec_.normalizer.normalize_aligned(segment, base, words.text, words.origin);
    spec_.pre_tokenizer.pre_tokenize(words, base == 0);
    std::vector<std::int32_t> pieces;
    std::vector<std::size_t> ends;
    for (const Words::Range& range : words.ranges) {
      pieces.clear();
      ends.clear();
      tokenize_word(words.word(range), pieces, &ends);
      std::size_t start = 0;
      for (std::size_t i = 0; i < pieces.size(); ++i) {
        const std::size_t end = ends[i];
        if (end <= start) continue;  // a piece with no text of its own (HF gives it none)
        const std::size_t first = range.begin + start;
        const std::size_t last = range.begin + end - 1;
        out.push_back({pieces[i], words.origin[first].start, words.origin[last].end, false});
        start = end;
      }
    }
  }

  TokenizerSpec spec_;
  std::variant<std::monostate, WordPiece, Unigram> model_;
  AddedTokens added_;
};

namespace {

Status check_utf8(std::string_view text, const char* what) {
  const std::size_t bad = find_invalid_utf8(text);
  if (bad == kValidUtf8) return Status::ok_status();
  return invalid_argument(std::string(what) + " is not valid UTF-8 (byte offset " +
                          std::to_string(bad) + ")");
}

}  // namespace

Result<Tokenizer> Tokenizer::from_directory(const std::filesystem::path& dir) {
  // transformers' order: tokenizer.json, else vocab.txt with tokenizer_config.json and
  // special_tokens_map.json. A file that is there but unreadable (a symlink loop, say) is an
  // error, never a reason to try the next one: that would tokenize differently without a word.
  RERANKD_ASSIGN_OR_RETURN(const bool has_json, file_is_present(dir / "tokenizer.json"));
  if (has_json) return from_tokenizer_json(dir / "tokenizer.json");
  RERANKD_ASSIGN_OR_RETURN(const bool has_vocab, file_is_present(dir / "vocab.txt"));
  if (!has_vocab) return not_found(dir.string() + ": no tokenizer.json or vocab.txt");
  std::filesystem::path config, special_tokens;
  for (auto [name, path] : {std::pair{"tokenizer_config.json", &config},
                            std::pair{"special_tokens_map.json", &special_tokens}}) {
    RERANKD_ASSIGN_OR_RETURN(const bool present, file_is_present(dir / name));
    if (present) *path = dir / name;
  }
  return from_vocab_txt(dir / "vocab.txt", config, special_tokens);
}

namespace {

Result<std::shared_ptr<const TokenizerImpl>> build(Result<TokenizerSpec> loaded,
                                                   const std::filesystem::path& file) {
  if (!loaded.ok()) return std::move(loaded).status();
  auto impl = std::make_shared<TokenizerImpl>(std::move(loaded).value());
  const Status created = impl->create_model();
  if (!created.ok()) return created.with_context(file.string());
  return std::shared_ptr<const TokenizerImpl>(std::move(impl));
}

}  // namespace

Result<Tokenizer> Tokenizer::from_tokenizer_json(const std::filesystem::path& file) {
  RERANKD_ASSIGN_OR_RETURN(auto impl, build(load_tokenizer_json(file), file));
  return Tokenizer(std::move(impl));
}

Result<Tokenizer> Tokenizer::from_vocab_txt(const std::filesystem::path& vocab,
                                            const std::filesystem::path& tokenizer_config,
                                            const std::filesystem::path& special_tokens_map) {
  RERANKD_ASSIGN_OR_RETURN(
      auto impl, build(load_vocab_txt(vocab, tokenizer_config, special_tokens_map), vocab));
  return Tokenizer(std::move(impl));
}

Status Tokenizer::encode_pair(std::string_view query, std::string_view document,
                              const TokenizeOptions& options, Encoding& out) const {
  out.clear();
  thread_local std::vector<std::int32_t> query_ids;
  RERANKD_RETURN_IF_ERROR(encode_query(query, query_ids));
  return encode_pair_with_query(query_ids, document, options, out);
}

Status Tokenizer::encode_query(std::string_view query, std::vector<std::int32_t>& ids) const {
  ids.clear();
  RERANKD_RETURN_IF_ERROR(check_utf8(query, "query"));
  impl_->tokenize(query, ids);
  return Status::ok_status();
}

Status Tokenizer::encode_pair_with_query(std::span<const std::int32_t> query_ids,
                                         std::string_view document, const TokenizeOptions& options,
                                         Encoding& out) const {
  out.clear();
  RERANKD_RETURN_IF_ERROR(check_utf8(document, "document"));
  const PairTemplate& pair_template = impl_->spec().pair_template;
  const std::size_t specials = pair_template.special_count();
  if (options.max_length < 0) {
    return invalid_argument("max_length " + std::to_string(options.max_length) + " is negative");
  }
  // Below the special-token count HF's budget (usize max_length - specials) wraps around, so it
  // truncates nothing; without truncation such a pair is always too long.
  const auto max_length = static_cast<std::size_t>(options.max_length);
  const bool below_specials = max_length < specials;
  if (below_specials && options.truncation == Truncation::kNone) {
    return out_of_range("max_length " + std::to_string(max_length) + " is less than the " +
                        std::to_string(specials) + " special tokens of a pair; truncation is off");
  }
  const std::size_t budget = below_specials ? SIZE_MAX : max_length - specials;
  thread_local std::vector<std::int32_t> document_ids;
  document_ids.clear();
  impl_->tokenize(document, document_ids);
  const bool from_left = options.side == TruncationSide::kLeft;
  const std::int32_t* document_start = document_ids.data();
  std::size_t document_size = document_ids.size();
  if (options.max_document_tokens > 0 &&
      document_size > static_cast<std::size_t>(options.max_document_tokens)) {
    const auto limit = static_cast<std::size_t>(options.max_document_tokens);
    if (from_left) document_start += document_size - limit;
    document_size = limit;
  }
  RERANKD_ASSIGN_OR_RETURN(const PairLengths kept, truncate_pair(query_ids.size(), document_size,
                                                                 budget, options.truncation));
  // Left truncation keeps each side's last tokens, as `tokenizers` does with direction Left.
  const std::int32_t* query_start =
      query_ids.data() + (from_left ? query_ids.size() - kept.first : 0);
  if (from_left) document_start += document_size - kept.second;
  pair_template.apply(query_start, kept.first, document_start, kept.second, out);
  return Status::ok_status();
}

Result<Encoding> Tokenizer::encode_pair(std::string_view query, std::string_view document,
                                        const TokenizeOptions& options) const {
  Encoding encoding;
  RERANKD_RETURN_IF_ERROR(encode_pair(query, document, options, encoding));
  return encoding;
}

Status Tokenizer::tokenize(std::string_view text, std::vector<std::int32_t>& ids) const {
  RERANKD_RETURN_IF_ERROR(check_utf8(text, "text"));
  impl_->tokenize(text, ids);
  return Status::ok_status();
}

Status Tokenizer::tokenize_with_offsets(std::string_view text, bool add_special_tokens,
                                        std::vector<TokenSpan>& out) const {
  out.clear();
  RERANKD_RETURN_IF_ERROR(check_utf8(text, "text"));
  const SpecialTokenIds& special = impl_->spec().special_ids;
  // A pair template with no special token before sequence A, or none right after it, names no
  // [CLS] or [SEP] (the ids stay -1): then there is none to add (found by fuzz_tokenizer_json,
  // a pair template of [CLS] [SEP] alone, which gave id -1 here).
  if (add_special_tokens && special.cls >= 0) out.push_back({special.cls, 0, 0, true});
  impl_->tokenize_with_offsets(text, out);
  if (add_special_tokens && special.sep >= 0) out.push_back({special.sep, 0, 0, true});
  return Status::ok_status();
}

Result<std::string> Tokenizer::decode(std::span<const std::int32_t> ids,
                                      bool skip_special_tokens) const {
  const TokenizerSpec& spec = impl_->spec();
  std::vector<std::string_view> tokens;
  tokens.reserve(ids.size());
  const std::int32_t ids_known = vocab_size();
  for (const std::int32_t id : ids) {
    if (id < 0 || id >= ids_known) {
      return invalid_argument("id " + std::to_string(id) + " is not in the vocabulary (" +
                              std::to_string(ids_known) + " tokens)");
    }
    if (skip_special_tokens && impl_->is_added(id)) continue;
    tokens.push_back(id_to_token(id));
  }
  return decode_tokens(spec.decoder, tokens);
}

std::string_view Tokenizer::id_to_token(std::int32_t id) const {
  const TokenizerSpec& spec = impl_->spec();
  // An added token past the vocabulary has no entry in it (Hugging Face keeps them apart too).
  if (id >= spec.vocab.size()) {
    const AddedToken* added = find_added_token(spec.added_tokens, id);
    return added != nullptr ? std::string_view(added->content) : std::string_view();
  }
  return spec.vocab.token(id);
}

std::int32_t Tokenizer::vocab_size() const {
  const TokenizerSpec& spec = impl_->spec();
  return id_space(spec.vocab, spec.added_tokens);
}

const SpecialTokenIds& Tokenizer::special_ids() const { return impl_->spec().special_ids; }

std::string Tokenizer::describe() const {
  const TokenizerSpec& spec = impl_->spec();
  std::string text = spec.source + " (" + impl_->model_name() + ", " +
                     std::to_string(spec.vocab.size()) + " tokens";
  for (const NormalizerStep& step : spec.normalizer.steps()) {
    const auto* bert = std::get_if<BertNormalizer>(&step);
    if (bert == nullptr) continue;
    if (bert->options().lowercase) text += ", lowercase";
    if (bert->options().strip_accents) text += ", strip accents";
  }
  if (std::holds_alternative<UnigramOptions>(spec.model)) {
    text += ", normalizer " + spec.normalizer.describe() + ", pre-tokenizer " +
            spec.pre_tokenizer.describe();
  }
  return text + ")";
}

}  // namespace rerankd::text
