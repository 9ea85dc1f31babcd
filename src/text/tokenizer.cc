#include "text/tokenizer.h"

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

  const TokenizerSpec& spec() const { return spec_; }

 private:
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
