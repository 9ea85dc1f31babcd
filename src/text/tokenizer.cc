#include "text/tokenizer.h"

#include <algorithm>
#include <array>
#include <utility>

#include "text/bert_pre_tokenizer.h"
#include "text/tokenizer_spec.h"
#include "text/truncation.h"
#include "text/utf8.h"

namespace rerankd::text {

class TokenizerImpl {
 public:
  TokenizerImpl(TokenizerSpec spec, WordPiece model)
      : spec_(std::move(spec)),
        normalizer_(spec_.normalizer),
        model_(std::move(model)),
        added_(spec_.added_tokens) {}

  // Appends the word-piece ids of `text` (valid UTF-8).
  void tokenize(std::string_view text, std::vector<std::int32_t>& ids) const {
    // Per-thread scratch: the tokenizer is shared across threads and allocates nothing per call
    // once these have grown.
    thread_local std::string normalized;
    thread_local std::vector<std::string_view> words;
    added_.split(
        text,
        [&](std::string_view segment) {
          normalized.clear();
          words.clear();
          normalizer_.normalize(segment, normalized);
          bert_pre_tokenize(normalized, words);
          for (const std::string_view word : words) model_.tokenize_word(word, ids);
        },
        [&](std::int32_t id) { ids.push_back(id); });
  }

  // tokenize() with each token's byte span in `text`. Each code point is normalized alone so
  // every normalized byte knows the original code point it came from; BertNormalizer works
  // per code point, so the result is the same as normalizing the whole text.
  void tokenize_with_offsets(std::string_view text, std::vector<TokenSpan>& out) const {
    std::size_t cursor = 0;  // where the next segment or added token starts
    added_.split(
        text,
        [&](std::string_view segment) {
          const auto base = static_cast<std::size_t>(segment.data() - text.data());
          spans_of_segment(segment, base, out);
          cursor = base + segment.size();
        },
        [&](std::int32_t id) {
          const std::size_t length = spec_.vocab.token(id).size();
          out.push_back({id, cursor, cursor + length, false});
          cursor += length;
        });
  }

  bool is_added(std::int32_t id) const {
    for (const AddedToken& token : spec_.added_tokens) {
      if (token.id == id) return true;
    }
    return false;
  }

  const TokenizerSpec& spec() const { return spec_; }

 private:
  void spans_of_segment(std::string_view segment, std::size_t base,
                        std::vector<TokenSpan>& out) const {
    std::string normalized;
    std::vector<std::pair<std::size_t, std::size_t>> origin;  // per normalized byte
    for (std::size_t p = 0; p < segment.size();) {
      std::size_t q = p;
      decode_utf8(segment, q);  // advances q past one code point
      normalizer_.normalize(segment.substr(p, q - p), normalized);
      origin.resize(normalized.size(), {base + p, base + q});
      p = q;
    }
    std::vector<std::string_view> words;
    bert_pre_tokenize(normalized, words);
    std::vector<std::int32_t> pieces;
    const std::string_view prefix = spec_.wordpiece.continuing_subword_prefix;
    for (const std::string_view word : words) {
      const auto word_start = static_cast<std::size_t>(word.data() - normalized.data());
      pieces.clear();
      model_.tokenize_word(word, pieces);
      std::size_t offset = 0;
      for (std::size_t i = 0; i < pieces.size(); ++i) {
        std::size_t length = word.size();  // the unknown token stands for the whole word
        if (pieces[i] != spec_.special_ids.unk || pieces.size() > 1) {
          std::string_view piece = spec_.vocab.token(pieces[i]);
          if (i > 0 && piece.starts_with(prefix)) piece.remove_prefix(prefix.size());
          length = std::min(piece.size(), word.size() - offset);
        }
        if (length == 0) continue;
        const std::size_t first = word_start + offset;
        const std::size_t last = first + length - 1;
        out.push_back({pieces[i], origin[first].first, origin[last].second, false});
        offset += length;
      }
    }
  }

  TokenizerSpec spec_;
  BertNormalizer normalizer_;
  WordPiece model_;
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
  std::error_code ec;
  if (std::filesystem::is_regular_file(dir / "tokenizer.json", ec)) {
    return from_tokenizer_json(dir / "tokenizer.json");
  }
  if (std::filesystem::is_regular_file(dir / "vocab.txt", ec)) {
    const auto config = dir / "tokenizer_config.json";
    return from_vocab_txt(dir / "vocab.txt", std::filesystem::is_regular_file(config, ec)
                                                 ? config
                                                 : std::filesystem::path());
  }
  return not_found(dir.string() + ": no tokenizer.json or vocab.txt");
}

namespace {

Result<std::shared_ptr<const TokenizerImpl>> build(Result<TokenizerSpec> loaded,
                                                   const std::filesystem::path& file) {
  if (!loaded.ok()) return std::move(loaded).status();
  TokenizerSpec spec = std::move(loaded).value();
  auto model = WordPiece::create(spec.vocab, spec.wordpiece);
  if (!model.ok()) return model.status().with_context(file.string());
  return std::make_shared<const TokenizerImpl>(std::move(spec), std::move(model).value());
}

}  // namespace

Result<Tokenizer> Tokenizer::from_tokenizer_json(const std::filesystem::path& file) {
  RERANKD_ASSIGN_OR_RETURN(auto impl, build(load_tokenizer_json(file), file));
  return Tokenizer(std::move(impl));
}

Result<Tokenizer> Tokenizer::from_vocab_txt(const std::filesystem::path& vocab,
                                            const std::filesystem::path& tokenizer_config) {
  RERANKD_ASSIGN_OR_RETURN(auto impl, build(load_vocab_txt(vocab, tokenizer_config), vocab));
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
  if (options.max_length < 0 || static_cast<std::size_t>(options.max_length) < specials) {
    return invalid_argument("max_length " + std::to_string(options.max_length) +
                            " is less than the " + std::to_string(specials) +
                            " special tokens of a pair");
  }
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
  RERANKD_ASSIGN_OR_RETURN(
      const PairLengths kept,
      truncate_pair(query_ids.size(), document_size,
                    static_cast<std::size_t>(options.max_length) - specials, options.truncation));
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
  if (add_special_tokens) out.push_back({special.cls, 0, 0, true});
  impl_->tokenize_with_offsets(text, out);
  if (add_special_tokens) out.push_back({special.sep, 0, 0, true});
  return Status::ok_status();
}

namespace {

// tokenizers' decoders/wordpiece.rs cleanup, applied in its order.
std::string cleanup_spaces(std::string text) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kRules = {{
      {" .", "."},
      {" ?", "?"},
      {" !", "!"},
      {" ,", ","},
      {" ' ", "'"},
      {" n't", "n't"},
      {" 'm", "'m"},
      {" do not", " don't"},
      {" 's", "'s"},
      {" 've", "'ve"},
      {" 're", "'re"},
  }};
  for (const auto& [from, to] : kRules) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0;;) {
      const std::size_t found = text.find(from, pos);
      if (found == std::string::npos) {
        out.append(text, pos, std::string::npos);
        break;
      }
      out.append(text, pos, found - pos);
      out += to;
      pos = found + from.size();
    }
    text = std::move(out);
  }
  return text;
}

}  // namespace

Result<std::string> Tokenizer::decode(std::span<const std::int32_t> ids,
                                      bool skip_special_tokens) const {
  const TokenizerSpec& spec = impl_->spec();
  const std::string_view prefix = spec.wordpiece.continuing_subword_prefix;
  std::string text;
  bool first = true;
  for (const std::int32_t id : ids) {
    if (id < 0 || id >= spec.vocab.size()) {
      return invalid_argument("id " + std::to_string(id) + " is not in the vocabulary (" +
                              std::to_string(spec.vocab.size()) + " tokens)");
    }
    if (skip_special_tokens && impl_->is_added(id)) continue;
    std::string_view token = spec.vocab.token(id);
    if (!first && token.starts_with(prefix)) {
      token.remove_prefix(prefix.size());
    } else if (!first) {
      text += ' ';
    }
    text += token;
    first = false;
  }
  return cleanup_spaces(std::move(text));
}

std::string_view Tokenizer::id_to_token(std::int32_t id) const {
  return impl_->spec().vocab.token(id);
}

std::int32_t Tokenizer::vocab_size() const { return impl_->spec().vocab.size(); }

const SpecialTokenIds& Tokenizer::special_ids() const { return impl_->spec().special_ids; }

std::string Tokenizer::describe() const {
  const TokenizerSpec& spec = impl_->spec();
  std::string text = spec.source + " (WordPiece, " + std::to_string(spec.vocab.size()) + " tokens";
  if (spec.normalizer.lowercase) text += ", lowercase";
  if (spec.normalizer.strip_accents) text += ", strip accents";
  return text + ")";
}

}  // namespace rerankd::text
