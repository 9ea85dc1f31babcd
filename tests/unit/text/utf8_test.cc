#include "text/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace rerankd::text {
namespace {

TEST(Utf8, ValidTextHasNoInvalidOffset) {
  EXPECT_EQ(find_invalid_utf8(""), kValidUtf8);
  EXPECT_EQ(find_invalid_utf8("plain ascii text that is longer than eight bytes"), kValidUtf8);
  EXPECT_EQ(find_invalid_utf8("caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\xA5\xB0"), kValidUtf8);
}

TEST(Utf8, ReportsTheByteOffsetOfTheFirstBadSequence) {
  EXPECT_EQ(find_invalid_utf8("abc\xFFxyz"), 3u);
  EXPECT_EQ(find_invalid_utf8("abcdefghij\x80"), 10u);    // lone continuation byte
  EXPECT_EQ(find_invalid_utf8("ab\xC0\xAF"), 2u);         // overlong '/'
  EXPECT_EQ(find_invalid_utf8("ab\xE0\x80\xAF"), 2u);     // overlong 3-byte form
  EXPECT_EQ(find_invalid_utf8("\xED\xA0\x80"), 0u);       // surrogate U+D800
  EXPECT_EQ(find_invalid_utf8("x\xF4\x90\x80\x80"), 1u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("xy\xE4\xB8"), 2u);         // truncated at the end
  EXPECT_EQ(find_invalid_utf8("\xC3\xA9\xC3"), 2u);
}

TEST(Utf8, DecodeAndEncodeRoundTrip) {
  for (const char32_t cp : {U'a', U'\u00E9', U'\u4E2D', U'\U0001F970', U'\U0010FFFF'}) {
    std::string text;
    append_utf8(cp, text);
    std::size_t pos = 0;
    EXPECT_EQ(decode_utf8(text, pos), cp);
    EXPECT_EQ(pos, text.size());
    EXPECT_EQ(count_code_points(text), 1u);
  }
}

}  // namespace
}  // namespace rerankd::text
