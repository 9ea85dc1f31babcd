// Where normalizer and pre-tokenizer steps write their output: the new bytes and, when offsets
// are tracked, the span of the original text each new byte came from (Hugging Face keeps the
// same alignment in NormalizedString; /tokenize reports it).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rerankd::text {

struct ByteSpan {
  std::size_t start = 0;  // [start, end) in the original text
  std::size_t end = 0;
};

class TextSink {
 public:
  // `in_origin` (per byte of the step's input) and `out_origin` are both null when offsets are
  // not tracked, the fast path.
  TextSink(std::string& out, const std::vector<ByteSpan>* in_origin,
           std::vector<ByteSpan>* out_origin)
      : out_(out), in_origin_(in_origin), out_origin_(out_origin) {}

  // Writes `bytes` in place of input bytes [in_begin, in_end); every new byte gets the span of
  // the whole replaced range. An insertion (in_begin == in_end) takes the span of the input
  // byte it is inserted before (or after, at the end).
  void emit(std::string_view bytes, std::size_t in_begin, std::size_t in_end) {
    out_.append(bytes);
    if (out_origin_ == nullptr) return;
    out_origin_->insert(out_origin_->end(), bytes.size(), span_of(in_begin, in_end));
  }

  // Hugging Face's alignment for a chunk replaced character by character (the Precompiled
  // normalizer): new character k takes the span of old character k; new characters beyond the
  // old count are insertions with the span of the last old one; old characters beyond the new
  // count are dropped.
  void replace_chars(std::string_view bytes, std::string_view in, std::size_t in_begin,
                     std::size_t in_end) {
    out_.append(bytes);
    if (out_origin_ == nullptr) return;
    std::size_t old_char = in_begin;
    for (std::size_t p = 0; p < bytes.size();) {
      const std::size_t length = char_length(bytes[p]);
      out_origin_->insert(out_origin_->end(), length, span_of(old_char, old_char + 1));
      if (old_char + char_length(in[old_char]) < in_end) old_char += char_length(in[old_char]);
      p += length;
    }
  }

  // Hugging Face's alignment for a pattern match replaced by new text (the Replace normalizer,
  // Metaspace's spaces): every new byte takes the span of the match's last byte.
  void substitute(std::string_view bytes, std::size_t in_begin, std::size_t in_end) {
    out_.append(bytes);
    if (out_origin_ == nullptr) return;
    const ByteSpan span = in_end > in_begin ? (*in_origin_)[in_end - 1] : span_of(in_begin, in_end);
    out_origin_->insert(out_origin_->end(), bytes.size(), span);
  }

  // Copies input bytes [begin, end) of `in` unchanged, keeping each byte's own span.
  void copy(std::string_view in, std::size_t begin, std::size_t end) {
    out_.append(in.substr(begin, end - begin));
    if (out_origin_ == nullptr) return;
    out_origin_->insert(out_origin_->end(),
                        in_origin_->begin() + static_cast<std::ptrdiff_t>(begin),
                        in_origin_->begin() + static_cast<std::ptrdiff_t>(end));
  }

  std::string& bytes() { return out_; }

 private:
  static std::size_t char_length(char lead) {
    const auto byte = static_cast<unsigned char>(lead);
    return byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
  }

  ByteSpan span_of(std::size_t begin, std::size_t end) const {
    const std::vector<ByteSpan>& in = *in_origin_;
    if (in.empty()) return {};
    if (end > begin) return {in[begin].start, in[end - 1].end};
    return begin < in.size() ? in[begin] : in.back();
  }

  std::string& out_;
  const std::vector<ByteSpan>* in_origin_;
  std::vector<ByteSpan>* out_origin_;
};

}  // namespace rerankd::text
