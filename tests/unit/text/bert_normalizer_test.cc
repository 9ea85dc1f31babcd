#include "text/bert_normalizer.h"

#include <gtest/gtest.h>

#include <string>

namespace rerankd::text {
namespace {

std::string normalize(std::string_view text, const BertNormalizerOptions& options = {}) {
  std::string out;
  BertNormalizer(options).normalize(text, out);
  return out;
}

TEST(BertNormalizer, LowercasesAndStripsAccents) {
  EXPECT_EQ(normalize("Caf\xC3\xA9 R\xC3\xA9SUM\xC3\x89"), "cafe resume");
  EXPECT_EQ(normalize("e\xCC\x81"), "e");  // e + combining acute
}

TEST(BertNormalizer, CleanTextDropsControlsAndMapsWhitespace) {
  EXPECT_EQ(normalize(std::string("a\tb\nc\rd\x0B"
                                  "e\x01"
                                  "f\x7F",
                                  12)),
            "a b c de"
            "f");
  EXPECT_EQ(normalize(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(normalize("a\xC2\xA0"
                      "b\xE3\x80\x80"
                      "c"),
            "a b c");  // NBSP, ideographic space
  EXPECT_EQ(normalize("a\xE2\x80\x8B"
                      "b\xEF\xBF\xBD"
                      "c"),
            "abc");  // ZWSP (Cf), U+FFFD
}

TEST(BertNormalizer, PadsChineseCharacters) {
  EXPECT_EQ(normalize("\xE4\xB8\xAD\xE6\x96\x87"), " \xE4\xB8\xAD  \xE6\x96\x87 ");
  BertNormalizerOptions no_chinese;
  no_chinese.handle_chinese_chars = false;
  EXPECT_EQ(normalize("\xE4\xB8\xAD", no_chinese), "\xE4\xB8\xAD");
}

TEST(BertNormalizer, DottedCapitalIFollowsRust) {
  // With accents stripped, NFD splits off U+0307 first; without, Rust lowercases to i + U+0307.
  EXPECT_EQ(normalize("\xC4\xB0"), "i");
  BertNormalizerOptions keep_accents;
  keep_accents.strip_accents = false;
  EXPECT_EQ(normalize("\xC4\xB0", keep_accents), "i\xCC\x87");
}

TEST(BertNormalizer, FinalSigmaIsPlainSigma) {
  // Rust char::to_lowercase has no context: word-final capital sigma becomes U+03C3, not U+03C2.
  EXPECT_EQ(normalize("\xCE\xA3\xCE\x91\xCE\xA3"), "\xCF\x83\xCE\xB1\xCF\x83");
}

TEST(BertNormalizer, KeepsCaseAndAccentsWhenAsked) {
  BertNormalizerOptions cased;
  cased.lowercase = false;
  cased.strip_accents = false;
  EXPECT_EQ(normalize("Caf\xC3\xA9", cased), "Caf\xC3\xA9");
}

TEST(BertNormalizer, MarksNewerThanHuggingFaceTablesAreKept) {
  // U+1CF00 (Znamenny, Unicode 14) is Mn today but not in HF's unicode_categories tables.
  EXPECT_EQ(normalize("a\xF0\x9C\xBC\x80"), "a\xF0\x9C\xBC\x80");
}

}  // namespace
}  // namespace rerankd::text
