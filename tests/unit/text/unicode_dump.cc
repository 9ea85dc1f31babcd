// Dumps, for every Unicode scalar value, what our BertNormalizer (three option sets) and
// BertPreTokenizer make of it; tools/check_unicode_parity.py compares this with Hugging Face.
// Line format (text fields as lower-case hex of their UTF-8 bytes, words joined by ','):
//   <cp hex> \t <normalize default> \t <normalize no-strip> \t <normalize strip-only> \t
//   <pre-tokenize "a" + cp + "b">
// With --raw it dumps utf8proc's own answers instead, for tools/gen_hf_unicode_tables.py:
//   <cp hex> \t <other><punctuation><nonspacing mark><has compatibility decomposition> as 0/1
//   \t <decomposition> \t <lowercase>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "text/bert_normalizer.h"
#include "text/bert_pre_tokenizer.h"
#include "text/unicode_data.h"
#include "text/utf8.h"

namespace {

void put_hex(std::string_view bytes, std::string& line) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    line.push_back(kDigits[b >> 4]);
    line.push_back(kDigits[b & 15]);
  }
}

int dump_raw() {
  namespace ud = rerankd::text::unicode_data;
  std::string line;
  std::string text;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    char head[16];
    std::snprintf(head, sizeof head, "%x\t", static_cast<unsigned>(cp));
    line = head;
    line.push_back(ud::is_other(cp) ? '1' : '0');
    line.push_back(ud::is_punctuation(cp) ? '1' : '0');
    line.push_back(ud::is_nonspacing_mark(cp) ? '1' : '0');
    line.push_back(ud::has_compat_decomposition(cp) ? '1' : '0');
    line.push_back('\t');
    char32_t parts[ud::kMaxDecomposition];
    const int n = ud::decompose(cp, parts);
    text.clear();
    for (int i = 0; i < n; ++i) rerankd::text::append_utf8(parts[i], text);
    put_hex(text, line);
    line.push_back('\t');
    text.clear();
    rerankd::text::append_utf8(ud::simple_lowercase(cp), text);
    put_hex(text, line);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "--raw") return dump_raw();
  using rerankd::text::BertNormalizer;
  const BertNormalizer full({true, true, true, true});
  const BertNormalizer no_strip({true, true, false, true});
  const BertNormalizer strip_only({false, false, true, false});
  std::string text;
  std::string normalized;
  std::string line;
  std::vector<std::string_view> words;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    text.clear();
    rerankd::text::append_utf8(cp, text);
    line.clear();
    char head[16];
    std::snprintf(head, sizeof head, "%x", static_cast<unsigned>(cp));
    line += head;
    for (const BertNormalizer* normalizer : {&full, &no_strip, &strip_only}) {
      normalized.clear();
      normalizer->normalize(text, normalized);
      line.push_back('\t');
      put_hex(normalized, line);
    }
    line.push_back('\t');
    text = "a" + text + "b";
    words.clear();
    rerankd::text::bert_pre_tokenize(text, words);
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (i > 0) line.push_back(',');
      put_hex(words[i], line);
    }
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  return 0;
}
