// Fuzzes the tokenizer files of a model directory (all loaders take paths: the input is
// written to a scratch directory first). Byte 0 & 3 picks the file, the rest is its content:
//   0  tokenizer.json           Tokenizer::from_tokenizer_json
//   1  tokenizer_config.json    Tokenizer::from_vocab_txt, beside a small valid vocab.txt
//   2  vocab.txt                Tokenizer::from_vocab_txt, no config
//   3  special_tokens_map.json  Tokenizer::from_vocab_txt, beside the small vocab.txt
// A tokenizer that loads then encodes a few fixed pairs (with and without truncation), shows
// offsets and decodes.
//
// Invariants (abort on violation): every id produced is below vocab_size(); token_type_ids
// match input_ids in length; a pair fits max_length when max_length covers the special tokens;
// decode accepts the ids produced (unless the decoder type is one rerankd does not implement,
// which fails every decode with failed_precondition); offsets lie inside the text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "text/tokenizer.h"

namespace text = rerankd::text;
using rerankd::fuzz::fail;

namespace {

constexpr std::string_view kVocab =
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nwhat\nis\ncapital\nof\nfrance\nparis\n?\n.\n,\n"
    "##s\n##is\n##al\nca\n##pit\nu\n##n\n\xE6\x9D\xB1\n\xE4\xBA\xAC\n";

void check_ids(const text::Tokenizer& tokenizer, const std::vector<std::int32_t>& ids) {
  for (const std::int32_t id : ids) {
    if (id < 0 || id >= tokenizer.vocab_size())
      fail("id outside the vocabulary", std::to_string(id));
  }
}

bool unsupported_decoder(const rerankd::Status& status) {
  return status.code() == rerankd::StatusCode::kFailedPrecondition &&
         status.message().find("is not supported by rerankd's /decode") != std::string::npos;
}

void exercise(const text::Tokenizer& tokenizer) {
  static constexpr std::string_view kTexts[][2] = {
      {"What is the capital of France?", "Paris is the capital of France."},
      {"  caf\xC3\xA9 \xE6\x9D\xB1\xE4\xBA\xAC [MASK] <s>", "\xE2\x96\x81un ##s [SEP] \t\n x"},
      {"", ""},
  };
  // The tokens the pair template adds: an empty pair is nothing else.
  text::Encoding empty;
  if (!tokenizer.encode_pair("", "", text::TokenizeOptions{}, empty).ok()) return;
  const std::size_t specials = empty.size();
  for (const int max_length : {512, 7, 1}) {
    for (const auto& [query, document] : kTexts) {
      text::TokenizeOptions options;
      options.max_length = max_length;
      text::Encoding encoding;
      if (!tokenizer.encode_pair(query, document, options, encoding).ok()) continue;
      check_ids(tokenizer, encoding.input_ids);
      if (encoding.token_type_ids.size() != encoding.size()) fail("token_type_ids length");
      const auto limit = static_cast<std::size_t>(max_length);
      if (limit >= specials && encoding.size() > limit) {
        fail("a truncated pair over max_length", std::to_string(encoding.size()));
      }
      auto decoded = tokenizer.decode(encoding.input_ids, true);
      // A decoder rerankd does not implement loads (scoring needs none) and refuses every
      // decode, by design; any other refusal of the tokenizer's own ids is a finding.
      if (!decoded.ok() && !unsupported_decoder(decoded.status())) {
        fail("decoding the tokenizer's own ids", decoded.status().to_string());
      }
    }
  }
  std::vector<text::TokenSpan> spans;
  const std::string_view sample = kTexts[1][0];
  if (tokenizer.tokenize_with_offsets(sample, true, spans).ok()) {
    for (const text::TokenSpan& span : spans) {
      if (span.id < 0 || span.id >= tokenizer.vocab_size()) fail("offset token id");
      if (span.start > span.end || span.end > sample.size()) fail("offsets outside the text");
    }
  }
  (void)tokenizer.describe();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view content(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto& dir = rerankd::fuzz::scratch_dir();
  static const bool vocab_written = (rerankd::fuzz::write_file(dir / "vocab.txt", kVocab), true);
  (void)vocab_written;

  rerankd::Result<text::Tokenizer> tokenizer = rerankd::internal_error("no file kind");
  switch (data[0] & 3) {
    case 0:
      rerankd::fuzz::write_file(dir / "tokenizer.json", content);
      tokenizer = text::Tokenizer::from_tokenizer_json(dir / "tokenizer.json");
      break;
    case 1:
      rerankd::fuzz::write_file(dir / "tokenizer_config.json", content);
      tokenizer = text::Tokenizer::from_vocab_txt(dir / "vocab.txt", dir / "tokenizer_config.json");
      break;
    case 2:
      rerankd::fuzz::write_file(dir / "fuzzed_vocab.txt", content);
      tokenizer = text::Tokenizer::from_vocab_txt(dir / "fuzzed_vocab.txt", {});
      break;
    default:
      rerankd::fuzz::write_file(dir / "special_tokens_map.json", content);
      tokenizer =
          text::Tokenizer::from_vocab_txt(dir / "vocab.txt", {}, dir / "special_tokens_map.json");
      break;
  }
  if (tokenizer.ok()) exercise(*tokenizer);
  return 0;
}
