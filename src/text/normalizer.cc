#include "text/normalizer.h"

#include <utf8proc.h>

#include <cstdlib>

#include "text/hf_unicode.h"
#include "text/utf8.h"

namespace rerankd::text {
namespace {

std::size_t next_code_point(std::string_view text, std::size_t pos) {
  decode_utf8(text, pos);
  return pos;
}

// BertNormalizer works per code point except for NFD's reordering of combining marks, so the
// aligned form normalizes one code point at a time (what tokenize_with_offsets always did).
void apply(const BertNormalizer& step, std::string_view in, TextSink& sink, bool aligned) {
  if (!aligned) {
    step.normalize(in, sink.bytes());
    return;
  }
  std::string piece;
  for (std::size_t p = 0; p < in.size();) {
    const std::size_t q = next_code_point(in, p);
    piece.clear();
    step.normalize(in.substr(p, q - p), piece);
    sink.emit(piece, p, q);
    p = q;
  }
}

void apply(const std::shared_ptr<const PrecompiledCharsmap>& step, std::string_view in,
           TextSink& sink, bool) {
  step->apply(in, sink);
}

void apply(const ReplaceStep& step, std::string_view in, TextSink& sink, bool) {
  const std::string_view literal = step.literal;
  std::size_t copied = 0;  // input before this is written
  for (std::size_t p = 0; p < in.size();) {
    std::size_t match_end = p;
    if (step.min_repeat == 0) {
      if (in.substr(p).starts_with(literal)) match_end = p + literal.size();
    } else {
      int repeats = 0;
      while (in.substr(match_end).starts_with(literal)) {
        match_end += literal.size();
        ++repeats;
      }
      if (repeats < step.min_repeat) match_end = p;
    }
    if (match_end == p) {
      p = next_code_point(in, p);
      continue;
    }
    sink.copy(in, copied, p);
    sink.substitute(step.content, p, match_end);
    copied = p = match_end;
  }
  sink.copy(in, copied, in.size());
}

void apply(const StripStep& step, std::string_view in, TextSink& sink, bool) {
  std::size_t first_text = in.size();  // start of the first code point that is not White_Space
  std::size_t text_end = 0;            // end of the last one
  for (std::size_t p = 0; p < in.size();) {
    std::size_t q = p;
    if (!is_bert_whitespace(decode_utf8(in, q))) {
      if (first_text == in.size()) first_text = p;
      text_end = q;
    }
    p = q;
  }
  const std::size_t begin = step.left ? first_text : 0;
  const std::size_t end = step.right ? text_end : in.size();
  if (begin < end) sink.copy(in, begin, end);
}

void apply(const PrependStep& step, std::string_view in, TextSink& sink, bool) {
  if (in.empty()) return;
  sink.emit(step.prefix, 0, 0);
  sink.copy(in, 0, in.size());
}

utf8proc_option_t options_of(UnicodeForm form) {
  const int stable = UTF8PROC_STABLE;
  switch (form) {
    case UnicodeForm::kNfc:
      return static_cast<utf8proc_option_t>(stable | UTF8PROC_COMPOSE);
    case UnicodeForm::kNfd:
      return static_cast<utf8proc_option_t>(stable | UTF8PROC_DECOMPOSE);
    case UnicodeForm::kNfkc:
      return static_cast<utf8proc_option_t>(stable | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
    case UnicodeForm::kNfkd:
      return static_cast<utf8proc_option_t>(stable | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT);
  }
  return static_cast<utf8proc_option_t>(stable);
}

void normalize_form(std::string_view in, std::size_t begin, std::size_t end, UnicodeForm form,
                    TextSink& sink) {
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t size =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(in.data() + begin),
                   static_cast<utf8proc_ssize_t>(end - begin), &mapped, options_of(form));
  if (size < 0) {  // cannot happen for valid UTF-8; keep the text rather than lose it
    sink.copy(in, begin, end);
    return;
  }
  sink.emit(std::string_view(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(size)),
            begin, end);
  std::free(mapped);
}

bool is_compat(UnicodeForm form) {
  return form == UnicodeForm::kNfkc || form == UnicodeForm::kNfkd;
}

// utf8proc's Unicode is newer than HF's normalization table: code points HF does not know pass
// through as they are, and the text on either side is normalized on its own (HF sees such a code
// point as unassigned, a starter nothing composes with). Aligned, a text is also cut at each code
// point of combining class 0, the units NFC and NFD reorder and compose within.
void apply(const UnicodeFormStep& step, std::string_view in, TextSink& sink, bool aligned) {
  const bool compat = is_compat(step.form);
  std::size_t run = 0;
  for (std::size_t p = 0; p < in.size();) {
    std::size_t q = p;
    const char32_t cp = decode_utf8(in, q);
    if (cp >= 0x80 && hf_keeps_undecomposed(cp, compat)) {
      if (p > run) normalize_form(in, run, p, step.form, sink);
      sink.copy(in, p, q);
      run = q;
    } else if (aligned && p > run && combining_class(cp) == 0) {
      normalize_form(in, run, p, step.form, sink);
      run = p;
    }
    p = q;
  }
  if (run < in.size()) normalize_form(in, run, in.size(), step.form, sink);
}

void apply(const LowercaseStep&, std::string_view in, TextSink& sink, bool) {
  std::string lowered;
  for (std::size_t p = 0; p < in.size();) {
    std::size_t q = p;
    const char32_t cp = decode_utf8(in, q);
    char32_t lower[3];
    const int n = to_lowercase(cp, lower);
    if (n == 1 && lower[0] == cp) {
      sink.copy(in, p, q);
    } else {
      lowered.clear();
      for (int i = 0; i < n; ++i) append_utf8(lower[i], lowered);
      sink.emit(lowered, p, q);
    }
    p = q;
  }
}

const char* name_of(const NormalizerStep& step) {
  static constexpr const char* kNames[] = {"BertNormalizer", "Precompiled",  "Replace",  "Strip",
                                           "Prepend",        "Unicode form", "Lowercase"};
  if (const auto* form = std::get_if<UnicodeFormStep>(&step)) {
    static constexpr const char* kForms[] = {"NFC", "NFD", "NFKC", "NFKD"};
    return kForms[static_cast<int>(form->form)];
  }
  return kNames[step.index()];
}

}  // namespace

void Normalizer::normalize(std::string_view text, std::string& out) const {
  if (steps_.empty()) {
    out.append(text);
    return;
  }
  if (steps_.size() == 1) {
    TextSink sink(out, nullptr, nullptr);
    std::visit([&](const auto& step) { apply(step, text, sink, false); }, steps_[0]);
    return;
  }
  // Per-thread scratch: the normalizer is shared across threads.
  thread_local std::string from;
  thread_local std::string to;
  from.assign(text);
  for (const NormalizerStep& step : steps_) {
    to.clear();
    TextSink sink(to, nullptr, nullptr);
    std::visit([&](const auto& s) { apply(s, from, sink, false); }, step);
    from.swap(to);
  }
  out.append(from);
}

void Normalizer::normalize_aligned(std::string_view text, std::size_t base, std::string& out,
                                   std::vector<ByteSpan>& origin) const {
  std::string from(text);
  std::vector<ByteSpan> from_origin(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::size_t begin = i;
    while (i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0u) == 0x80u) ++i;
    for (std::size_t j = begin; j <= i; ++j) from_origin[j] = {base + begin, base + i + 1};
  }
  for (const NormalizerStep& step : steps_) {
    std::string to;
    std::vector<ByteSpan> to_origin;
    TextSink sink(to, &from_origin, &to_origin);
    std::visit([&](const auto& s) { apply(s, from, sink, true); }, step);
    from.swap(to);
    from_origin.swap(to_origin);
  }
  out = std::move(from);
  origin = std::move(from_origin);
}

std::string Normalizer::describe() const {
  if (steps_.empty()) return "none";
  if (steps_.size() == 1) return name_of(steps_[0]);
  std::string text = "Sequence[";
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    if (i > 0) text += ", ";
    text += name_of(steps_[i]);
  }
  return text + "]";
}

}  // namespace rerankd::text
