#include "text/bert_normalizer.h"

#include <algorithm>
#include <vector>

#include "text/hf_unicode.h"
#include "text/utf8.h"

namespace rerankd::text {
namespace {

// Streams code points through the NFD + strip-accents + lowercase stages. HF applies NFD to the
// whole string, which reorders each run of non-starters (combining class != 0) by combining
// class; we buffer such a run and sort it when the next starter (or the end) arrives, so the
// result equals whole-string NFD followed by the Mn filter.
class Emitter {
 public:
  Emitter(const BertNormalizerOptions& options, std::vector<char32_t>& run, std::string& out)
      : options_(options), run_(run), out_(out) {
    run_.clear();
  }

  bool run_empty() const { return run_.empty(); }

  void push(char32_t cp) {
    if (!options_.strip_accents) {
      emit(cp);
      return;
    }
    char32_t parts[kMaxDecomposition];
    const int n = nfd_decompose(cp, parts);
    for (int i = 0; i < n; ++i) {
      if (combining_class(parts[i]) == 0) {
        flush();
        if (!is_nonspacing_mark(parts[i])) emit(parts[i]);
      } else {
        run_.push_back(parts[i]);
      }
    }
  }

  void flush() {
    if (run_.empty()) return;
    if (run_.size() > 1) {
      std::stable_sort(run_.begin(), run_.end(), [](char32_t a, char32_t b) {
        return combining_class(a) < combining_class(b);
      });
    }
    for (char32_t cp : run_) {
      if (!is_nonspacing_mark(cp)) emit(cp);
    }
    run_.clear();
  }

 private:
  void emit(char32_t cp) {
    if (!options_.lowercase) {
      append_utf8(cp, out_);
      return;
    }
    char32_t lower[3];
    const int n = to_lowercase(cp, lower);
    for (int i = 0; i < n; ++i) append_utf8(lower[i], out_);
  }

  const BertNormalizerOptions& options_;
  std::vector<char32_t>& run_;
  std::string& out_;
};

}  // namespace

BertNormalizer::BertNormalizer(const BertNormalizerOptions& options) : options_(options) {
  for (int c = 0; c < 128; ++c) {
    std::int16_t mapped = static_cast<std::int16_t>(c);
    if (options_.clean_text) {
      if (is_clean_text_removed(static_cast<char32_t>(c))) {
        mapped = -1;
      } else if (is_bert_whitespace(static_cast<char32_t>(c))) {
        mapped = ' ';
      }
    }
    if (mapped >= 'A' && mapped <= 'Z' && options_.lowercase) mapped += 'a' - 'A';
    ascii_map_[static_cast<std::size_t>(c)] = mapped;
  }
}

void BertNormalizer::normalize(std::string_view text, std::string& out) const {
  // One buffer per thread keeps normalize() const, thread-safe and free of per-call allocation.
  thread_local std::vector<char32_t> run;
  Emitter emitter(options_, run, out);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80 && emitter.run_empty()) {
      const std::int16_t mapped = ascii_map_[byte];
      if (mapped >= 0) out.push_back(static_cast<char>(mapped));
      ++pos;
      continue;
    }
    char32_t cp = decode_utf8(text, pos);
    if (options_.clean_text) {
      if (is_clean_text_removed(cp)) continue;
      if (is_bert_whitespace(cp)) cp = ' ';
    }
    if (options_.handle_chinese_chars && is_chinese_char(cp)) {
      emitter.push(' ');
      emitter.push(cp);
      emitter.push(' ');
    } else {
      emitter.push(cp);
    }
  }
  emitter.flush();
}

}  // namespace rerankd::text
