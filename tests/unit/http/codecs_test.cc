// The request codecs without a server: what each body decodes to, and which Status a bad one
// gets (the code decides the HTTP status through error_map).
#include <gtest/gtest.h>

#include "http/codecs/cohere_rerank.h"
#include "http/codecs/score_pairs.h"
#include "http/codecs/tei_rerank.h"

namespace rerankd::http::codecs {
namespace {

DecodeLimits limits(std::size_t max_batch = 4, bool auto_truncate = true) {
  DecodeLimits result;
  result.max_client_batch_size = max_batch;
  result.auto_truncate = auto_truncate;
  return result;
}

TEST(TeiRerankCodec, DecodesEveryField) {
  auto input =
      decode_tei_rerank(R"({"query":"what","texts":["a","b"],"raw_scores":true,"return_text":true,)"
                        R"("truncate":false,"truncation_direction":"right","unknown":1})",
                        limits());
  ASSERT_TRUE(input.ok()) << input.status().to_string();
  EXPECT_EQ(input->request.query, "what");
  EXPECT_EQ(input->request.documents, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(input->request.mode, engine::ScoreMode::kRaw);
  EXPECT_TRUE(input->return_text);
  EXPECT_FALSE(input->request.truncate);
}

TEST(TeiRerankCodec, DefaultsFollowTei) {
  auto input = decode_tei_rerank(R"({"query":"","texts":["a"]})", limits(4, false));
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(input->request.mode, engine::ScoreMode::kActivated);
  EXPECT_FALSE(input->return_text);
  EXPECT_FALSE(input->request.truncate);  // absent: auto_truncate
}

TEST(TeiRerankCodec, ErrorsHaveTheirCodes) {
  EXPECT_EQ(decode_tei_rerank("nope", limits()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decode_tei_rerank(R"({"query":"q"})", limits()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(decode_tei_rerank(R"({"query":"q","texts":[]})", limits()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      decode_tei_rerank(R"({"query":"q","texts":["a","a","a","a","a"]})", limits()).status().code(),
      StatusCode::kOutOfRange);
  EXPECT_EQ(decode_tei_rerank(R"({"query":"q","texts":[1]})", limits()).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(decode_tei_rerank(R"({"query":"q","texts":["a"],"raw_scores":"yes"})", limits())
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      decode_tei_rerank(R"({"query":"q","texts":["a"],"truncation_direction":"left"})", limits())
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  const Status named = decode_tei_rerank(R"({"query":"q","texts":["a",null]})", limits()).status();
  EXPECT_NE(named.message().find("texts[1]"), std::string::npos) << named.message();
}

TEST(TeiRerankCodec, EncodesRankedWithOptionalText) {
  engine::RerankResponse response;
  response.ranked = {{1, 0.5f}, {0, 0.25f}};
  const std::vector<std::string> texts = {"x\"y", "z"};
  EXPECT_EQ(encode_tei_rerank(response, nullptr),
            R"([{"index":1,"score":0.5},{"index":0,"score":0.25}])");
  EXPECT_EQ(encode_tei_rerank(response, &texts),
            R"([{"index":1,"score":0.5,"text":"z"},{"index":0,"score":0.25,"text":"x\"y"}])");
}

TEST(CohereRerankCodec, DocumentsAsStringsAndObjects) {
  auto input = decode_cohere_rerank(
      R"({"model":"m","query":"q","documents":["a",{"text":"b","id":7}],"top_n":1,)"
      R"("return_documents":true})",
      limits());
  ASSERT_TRUE(input.ok()) << input.status().to_string();
  EXPECT_EQ(input->model, "m");
  EXPECT_EQ(input->request.documents, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(input->request.top_n, 1u);
  EXPECT_TRUE(input->return_documents);
}

TEST(CohereRerankCodec, ErrorsHaveTheirCodes) {
  EXPECT_EQ(
      decode_cohere_rerank(R"({"query":"q","documents":[{"txt":"a"}]})", limits()).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(decode_cohere_rerank(R"({"query":"q","documents":[true]})", limits()).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(decode_cohere_rerank(R"({"query":"q","documents":["a"],"top_n":0})", limits())
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(decode_cohere_rerank(R"({"query":"q","documents":["a"],"model":5})", limits())
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
}

TEST(CohereRerankCodec, EncodesTheCohereShape) {
  engine::RerankResponse response;
  response.ranked = {{2, 1.0f}};
  response.total_tokens = 42;
  const std::vector<std::string> documents = {"a", "b", "c"};
  CohereReplyContext context;
  context.id = "id1";
  context.model = "m";
  EXPECT_EQ(encode_cohere_rerank(response, context),
            R"({"id":"id1","results":[{"index":2,"relevance_score":1}],"model":"m",)"
            R"("usage":{"total_tokens":42}})");
  context.documents = &documents;
  EXPECT_EQ(encode_cohere_rerank(response, context),
            R"({"id":"id1","results":[{"index":2,"relevance_score":1,"document":{"text":"c"}}],)"
            R"("model":"m","usage":{"total_tokens":42}})");
}

TEST(ScoreCodec, DecodesPairs) {
  auto input =
      decode_score(R"({"pairs":[["q1","p1"],["q2","p2"]],"truncate":true})", limits(4, false));
  ASSERT_TRUE(input.ok()) << input.status().to_string();
  ASSERT_EQ(input->pairs.size(), 2u);
  EXPECT_EQ(input->pairs[1].query, "q2");
  EXPECT_EQ(input->pairs[1].document, "p2");
  EXPECT_TRUE(input->truncate);
}

TEST(ScoreCodec, ErrorsHaveTheirCodes) {
  EXPECT_EQ(decode_score(R"({"pairs":[["q"]]})", limits()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(decode_score(R"({"pairs":["q","p"]})", limits()).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(decode_score(R"({"pairs":[]})", limits()).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ScoreCodec, EncodesInOrder) {
  engine::ScoreResponse response;
  response.scores = {0.5f, -1.0f};
  EXPECT_EQ(encode_score(response), R"({"scores":[0.5,-1]})");
}

}  // namespace
}  // namespace rerankd::http::codecs
