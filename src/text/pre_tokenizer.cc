#include "text/pre_tokenizer.h"

#include "text/bert_pre_tokenizer.h"
#include "text/hf_unicode.h"
#include "text/utf8.h"

namespace rerankd::text {
namespace {

using Range = Words::Range;

void split(const BertPreTokenizerStep&, Words& words) {
  thread_local std::vector<std::string_view> views;
  thread_local std::vector<Range> ranges;
  ranges.clear();
  for (const Range& range : words.ranges) {
    views.clear();
    bert_pre_tokenize(words.word(range), views);
    for (const std::string_view view : views) {
      const auto begin = static_cast<std::size_t>(view.data() - words.text.data());
      ranges.push_back({begin, begin + view.size(), range.at_text_start && begin == range.begin});
    }
  }
  words.ranges.swap(ranges);
}

// Splits on Unicode White_Space, dropping it (HF WhitespaceSplit).
void split(const WhitespaceSplitStep&, Words& words) {
  thread_local std::vector<Range> ranges;
  ranges.clear();
  for (const Range& range : words.ranges) {
    std::size_t start = range.begin;
    for (std::size_t p = range.begin; p < range.end;) {
      std::size_t q = p;
      const bool space = is_bert_whitespace(decode_utf8(words.text, q));
      if (space) {
        if (p > start) ranges.push_back({start, p, range.at_text_start && start == range.begin});
        start = q;
      }
      p = q;
    }
    if (range.end > start) {
      ranges.push_back({start, range.end, range.at_text_start && start == range.begin});
    }
  }
  words.ranges.swap(ranges);
}

// Each word: spaces become the replacement, the replacement is prepended (by the scheme) unless
// the word starts with it, then the word is split before every replacement (HF
// SplitDelimiterBehavior::MergedWithNext).
void split(const MetaspaceStep& step, Words& words) {
  const bool aligned = !words.origin.empty();
  thread_local std::string text;
  thread_local std::vector<ByteSpan> origin;
  thread_local std::vector<Range> ranges;
  text.clear();
  origin.clear();
  ranges.clear();
  const std::string_view mark = step.replacement;
  TextSink sink(text, aligned ? &words.origin : nullptr, aligned ? &origin : nullptr);
  for (const Range& range : words.ranges) {
    const std::string_view word = words.word(range);
    if (word.empty()) continue;
    const std::size_t begin = text.size();
    const bool prepend = step.prepend_scheme == PrependScheme::kAlways ||
                         (step.prepend_scheme == PrependScheme::kFirst && range.at_text_start);
    // HF checks after replacing spaces, so a leading space counts as a replacement.
    if (prepend && !word.starts_with(mark) && word[0] != ' ') {
      sink.emit(mark, range.begin, range.begin);
    }
    std::size_t copied = range.begin;
    for (std::size_t p = range.begin; p < range.end; ++p) {
      if (words.text[p] != ' ') continue;
      sink.copy(words.text, copied, p);
      sink.substitute(mark, p, p + 1);
      copied = p + 1;
    }
    sink.copy(words.text, copied, range.end);
    const std::size_t end = text.size();
    if (!step.split) {
      ranges.push_back({begin, end, range.at_text_start});
      continue;
    }
    std::size_t start = begin;
    const std::string_view rewritten(text);
    for (std::size_t p = rewritten.find(mark, begin + 1); p != std::string_view::npos && p < end;
         p = rewritten.find(mark, p + mark.size())) {
      ranges.push_back({start, p, range.at_text_start && start == begin});
      start = p;
    }
    if (end > start) ranges.push_back({start, end, range.at_text_start && start == begin});
  }
  words.text.swap(text);
  words.origin.swap(origin);
  words.ranges.swap(ranges);
}

const char* name_of(const PreTokenizerStep& step) {
  static constexpr const char* kNames[] = {"BertPreTokenizer", "WhitespaceSplit", "Metaspace"};
  return kNames[step.index()];
}

}  // namespace

void PreTokenizer::pre_tokenize(Words& words, bool at_text_start) const {
  words.ranges.clear();
  if (!words.text.empty()) words.ranges.push_back({0, words.text.size(), at_text_start});
  for (const PreTokenizerStep& step : steps_) {
    std::visit([&](const auto& s) { split(s, words); }, step);
  }
}

std::string PreTokenizer::describe() const {
  if (steps_.size() == 1) return name_of(steps_[0]);
  std::string text = "Sequence[";
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    if (i > 0) text += ", ";
    text += name_of(steps_[i]);
  }
  return text + "]";
}

}  // namespace rerankd::text
