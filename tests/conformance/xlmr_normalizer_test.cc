// Every Unicode scalar value through the XLM-R fixture tokenizer's normalizer (Precompiled,
// Strip, Replace) against Hugging Face `tokenizers` (fixture: normalizer_code_points.tsv from
// tools/make_xlmr_tokenizer_fixtures.py lists each code point whose result differs from itself).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "support/test_env.h"
#include "text/tokenizer_spec.h"
#include "text/utf8.h"

namespace rerankd::testing {
namespace {

std::string hex_of(std::string_view bytes) {
  std::string out;
  char byte[3];
  for (const char c : bytes) {
    std::snprintf(byte, sizeof byte, "%02x", static_cast<unsigned char>(c));
    out += byte;
  }
  return out;
}

TEST(XlmrNormalizer, EveryCodePointMatchesHuggingFace) {
  const auto spec = text::load_tokenizer_json(fixtures_dir() / "xlmr_tokenizer" / "tokenizer.json");
  ASSERT_TRUE(spec.ok()) << spec.status().to_string();
  std::ifstream in(fixtures_dir() / "xlmr_tokenizer" / "normalizer_code_points.tsv");
  ASSERT_TRUE(in) << "cannot open normalizer_code_points.tsv";
  std::map<char32_t, std::string> changed;  // code point -> hex of the expected UTF-8
  for (std::string line; std::getline(in, line);) {
    const std::size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    changed[static_cast<char32_t>(std::stoul(line.substr(0, tab), nullptr, 16))] =
        line.substr(tab + 1);
  }
  ASSERT_GT(changed.size(), 5000u);

  int failures = 0;
  std::string input;
  std::string output;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    input.clear();
    text::append_utf8(cp, input);
    output.clear();
    spec->normalizer.normalize(input, output);
    const auto found = changed.find(cp);
    const std::string want = found == changed.end() ? hex_of(input) : found->second;
    if (hex_of(output) != want) {
      char name[16];
      std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(cp));
      ADD_FAILURE() << name << ": ours " << hex_of(output) << ", Hugging Face " << want;
      if (++failures >= 20) return;
    }
  }
}

}  // namespace
}  // namespace rerankd::testing
