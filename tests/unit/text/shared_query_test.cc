// encode_pair_with_query (a query tokenized once, then many documents) must give exactly what
// encode_pair gives, including under truncation, since the server's /rerank uses the former
// and `rerankd score` the latter.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/test_env.h"
#include "text/tokenizer.h"

namespace rerankd::text {
namespace {

struct TextPair {
  std::string query;
  std::string document;
};

std::vector<TextPair> msmarco_pairs(std::size_t count) {
  std::ifstream in(rerankd::testing::data_dir() / "msmarco" / "dev_small_bm25top20_600q.tsv");
  std::vector<TextPair> pairs;
  for (std::string line; pairs.size() < count && std::getline(in, line);) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      fields.push_back(line.substr(start, tab - start));
    }
    fields.push_back(line.substr(start));
    if (fields.size() == 6) pairs.push_back({fields[4], fields[5]});
  }
  return pairs;
}

class SharedQuery : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = Tokenizer::from_tokenizer_json(rerankd::testing::data_dir() /
                                                 "bert-base-uncased" / "tokenizer.json");
    ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
    tokenizer_ = std::make_unique<Tokenizer>(std::move(loaded).value());
  }

  void expect_same(const TextPair& pair, const TokenizeOptions& options) {
    Encoding whole;
    const Status whole_status = tokenizer_->encode_pair(pair.query, pair.document, options, whole);
    std::vector<std::int32_t> query_ids;
    Encoding shared;
    Status shared_status = tokenizer_->encode_query(pair.query, query_ids);
    if (shared_status.ok()) {
      shared_status = tokenizer_->encode_pair_with_query(query_ids, pair.document, options, shared);
    }
    ASSERT_EQ(whole_status.ok(), shared_status.ok()) << pair.query;
    if (!whole_status.ok()) {
      EXPECT_EQ(whole_status.to_string(), shared_status.to_string());
      return;
    }
    EXPECT_EQ(whole.input_ids, shared.input_ids) << pair.query;
    EXPECT_EQ(whole.token_type_ids, shared.token_type_ids) << pair.query;
  }

  std::unique_ptr<Tokenizer> tokenizer_;
};

TEST_F(SharedQuery, SameIdsAsWholePairsOnMsMarco) {
  for (const auto& pair : msmarco_pairs(300)) expect_same(pair, {});
}

TEST_F(SharedQuery, SameIdsUnderEveryTruncation) {
  const std::string long_query(3000, 'q');
  std::string long_words;
  for (int i = 0; i < 400; ++i) long_words += "reranking passages ";
  const std::vector<TextPair> pairs = {
      {long_words, "short document"}, {"short query", long_words}, {long_words, long_words}};
  for (const Truncation truncation :
       {Truncation::kLongestFirst, Truncation::kOnlySecond, Truncation::kNone}) {
    for (const int max_length : {3, 16, 128, 512}) {
      for (const auto& pair : pairs) expect_same(pair, {max_length, truncation});
    }
  }
}

TEST_F(SharedQuery, MaxDocumentTokensCutsTheDocumentFirstFromEitherSide) {
  const TextPair pair{"a question", "one two three four five six seven"};
  std::vector<std::int32_t> document;
  ASSERT_TRUE(tokenizer_->tokenize(pair.document, document).ok());
  std::vector<std::int32_t> query;
  ASSERT_TRUE(tokenizer_->tokenize(pair.query, query).ok());
  const SpecialTokenIds& special = tokenizer_->special_ids();
  TokenizeOptions options{.max_length = 512, .max_document_tokens = 3};
  for (const TruncationSide side : {TruncationSide::kRight, TruncationSide::kLeft}) {
    options.side = side;
    Encoding encoding;
    ASSERT_TRUE(tokenizer_->encode_pair(pair.query, pair.document, options, encoding).ok());
    std::vector<std::int32_t> want{special.cls};
    want.insert(want.end(), query.begin(), query.end());
    want.push_back(special.sep);
    const auto first = side == TruncationSide::kRight ? document.begin() : document.end() - 3;
    want.insert(want.end(), first, first + 3);
    want.push_back(special.sep);
    EXPECT_EQ(encoding.input_ids, want);
    expect_same(pair, options);
  }
}

TEST_F(SharedQuery, InvalidUtf8NamesTheQueryOrTheDocument) {
  std::vector<std::int32_t> ids;
  const Status query_status = tokenizer_->encode_query("bad \xff query", ids);
  EXPECT_FALSE(query_status.ok());
  EXPECT_NE(query_status.message().find("query"), std::string::npos) << query_status.message();

  ASSERT_TRUE(tokenizer_->encode_query("good query", ids).ok());
  Encoding encoding;
  const Status document_status =
      tokenizer_->encode_pair_with_query(ids, "bad \xc3 document", {}, encoding);
  EXPECT_FALSE(document_status.ok());
  EXPECT_NE(document_status.message().find("document"), std::string::npos)
      << document_status.message();
}

}  // namespace
}  // namespace rerankd::text
