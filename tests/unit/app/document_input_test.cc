#include "app/document_input.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rerankd::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseDocuments, PlainTextIsOneDocumentPerLine) {
  const auto documents = parse_documents("first doc\r\n\nsecond \"doc\"\n", false, "docs.txt");
  ASSERT_TRUE(documents.ok());
  EXPECT_THAT(*documents, ElementsAre("first doc", "second \"doc\""));
}

TEST(ParseDocuments, JsonlTakesStringsAndTextObjects) {
  const auto documents = parse_documents("\"a\\nb\"\n{\"text\":\"c\"}\n", true, "docs.jsonl");
  ASSERT_TRUE(documents.ok());
  EXPECT_THAT(*documents, ElementsAre("a\nb", "c"));
}

TEST(ParseDocuments, ErrorsNameTheLine) {
  const auto no_text = parse_documents("\"a\"\n{\"body\":\"c\"}\n", true, "docs.jsonl");
  ASSERT_FALSE(no_text.ok());
  EXPECT_THAT(no_text.status().message(), HasSubstr("docs.jsonl line 2"));
  const auto bad_utf8 = parse_documents("fine\n\xFF\xFE\n", false, "docs.txt");
  ASSERT_FALSE(bad_utf8.ok());
  EXPECT_THAT(bad_utf8.status().message(), HasSubstr("docs.txt line 2: invalid UTF-8"));
}

}  // namespace
}  // namespace rerankd::app
