// Fuzzes the tokenizers on arbitrary bytes: WordPiece (bert-base-uncased's tokenizer.json from
// RERANKD_DATA_DIR; the repository holds no BERT vocabulary) and Unigram (the XLM-R fixture,
// tests/fixtures/xlmr_tokenizer), each loaded once.
//
// Input: byte 0 picks the tokenizer (bit 0: XLM-R), truncation (bits 1-2: none, longest_first,
// only_second) and side (bit 3: left); byte 1 sets max_length (0..255, so that truncation
// happens often); byte 2 sets max_document_tokens (0..31, 0 = off); the rest is
// "query<TAB>document" (no tab: all query, empty document).
//
// Invariants (abort on violation): every id is in the vocabulary; token_type_ids match
// input_ids in length and are 0 or 1; the pair has exactly specials + min(q + d', budget)
// tokens, where q and d are the ids tokenize() gives each text, d' = min(d,
// max_document_tokens) and budget = max_length - specials (no cut when max_length is below the
// special tokens, as in Hugging Face); tokenize_with_offsets gives tokenize()'s ids with offsets
// inside the text; decode accepts every id the tokenizer produced.
#include "text/tokenizer.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"

namespace text = rerankd::text;

using rerankd::fuzz::fail;

namespace {

struct Loaded {
  text::Tokenizer tokenizer;
  std::size_t specials = 0;  // tokens the pair template adds
};

Loaded load(const std::string& file) {
  auto tokenizer = text::Tokenizer::from_tokenizer_json(file);
  if (!tokenizer.ok()) fail("loading a tokenizer", tokenizer.status().to_string());
  auto empty = tokenizer->encode_pair("", "", text::TokenizeOptions{});
  if (!empty.ok()) fail("encoding an empty pair", empty.status().to_string());
  return {std::move(*tokenizer), empty->size()};
}

const Loaded& bert() {
  static const Loaded* loaded =
      new Loaded(load(rerankd::fuzz::shared_data_file("bert-base-uncased/tokenizer.json")));
  return *loaded;
}

const Loaded& xlmr() {
  static const Loaded* loaded =
      new Loaded(load(rerankd::fuzz::fixture_file("xlmr_tokenizer/tokenizer.json")));
  return *loaded;
}

void check_ids(const text::Tokenizer& tokenizer, const std::vector<std::int32_t>& ids) {
  for (const std::int32_t id : ids) {
    if (id < 0 || id >= tokenizer.vocab_size())
      fail("id outside the vocabulary", std::to_string(id));
  }
}

}  // namespace

// Loads both tokenizers before the first input, outside libFuzzer's per-input timeout.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  bert();
  xlmr();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const Loaded& loaded = (data[0] & 1) != 0 ? xlmr() : bert();
  const text::Tokenizer& tokenizer = loaded.tokenizer;
  text::TokenizeOptions options;
  static constexpr text::Truncation kTruncations[] = {
      text::Truncation::kNone, text::Truncation::kLongestFirst, text::Truncation::kOnlySecond,
      text::Truncation::kLongestFirst};
  options.truncation = kTruncations[(data[0] >> 1) & 3];
  options.side = (data[0] & 8) != 0 ? text::TruncationSide::kLeft : text::TruncationSide::kRight;
  options.max_length = data[1];
  options.max_document_tokens = data[2] & 31;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 3, size - 3);
  const std::size_t tab = rest.find('\t');
  const std::string_view query = rest.substr(0, tab);
  const std::string_view document = tab == std::string_view::npos ? "" : rest.substr(tab + 1);

  std::vector<std::int32_t> query_ids;
  std::vector<std::int32_t> document_ids;
  const bool query_ok = tokenizer.tokenize(query, query_ids).ok();
  const bool document_ok = tokenizer.tokenize(document, document_ids).ok();
  check_ids(tokenizer, query_ids);
  check_ids(tokenizer, document_ids);

  text::Encoding encoding;
  const auto status = tokenizer.encode_pair(query, document, options, encoding);
  if (status.ok() != (query_ok && document_ok) &&
      (status.ok() || status.code() != rerankd::StatusCode::kOutOfRange)) {
    fail("encode_pair and tokenize disagree on the input", status.to_string());
  }
  if (status.ok()) {
    check_ids(tokenizer, encoding.input_ids);
    if (encoding.token_type_ids.size() != encoding.input_ids.size()) {
      fail("token_type_ids and input_ids differ in length", std::to_string(encoding.size()));
    }
    for (const std::int32_t type : encoding.token_type_ids) {
      if (type != 0 && type != 1) fail("token type", std::to_string(type));
    }
    std::size_t document_tokens = document_ids.size();
    if (options.max_document_tokens > 0) {
      document_tokens =
          std::min(document_tokens, static_cast<std::size_t>(options.max_document_tokens));
    }
    const std::size_t max_length = static_cast<std::size_t>(options.max_length);
    std::size_t expected = loaded.specials + query_ids.size() + document_tokens;
    if (max_length >= loaded.specials) expected = std::min(expected, max_length);
    if (encoding.size() != expected) {
      fail("pair length", std::to_string(encoding.size()) + " tokens, expected " +
                              std::to_string(expected) + " (query " +
                              std::to_string(query_ids.size()) + ", document " +
                              std::to_string(document_ids.size()) + ", max_length " +
                              std::to_string(max_length) + ")");
    }
    auto decoded = tokenizer.decode(encoding.input_ids, (data[0] & 16) != 0);
    if (!decoded.ok()) fail("decoding the pair's own ids", decoded.status().to_string());
  }

  std::vector<text::TokenSpan> spans;
  if (tokenizer.tokenize_with_offsets(query, (data[0] & 32) != 0, spans).ok()) {
    std::vector<std::int32_t> ids;
    for (const text::TokenSpan& span : spans) {
      if (span.start > span.end || span.end > query.size()) {
        fail("offsets outside the text",
             std::to_string(span.start) + ".." + std::to_string(span.end));
      }
      if (!span.special) ids.push_back(span.id);
    }
    check_ids(tokenizer, ids);
    if (ids != query_ids) fail("tokenize_with_offsets ids differ from tokenize", "");
  } else if (query_ok) {
    fail("tokenize_with_offsets refused what tokenize accepted", "");
  }
  return 0;
}
