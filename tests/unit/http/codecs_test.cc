// The request codecs without a server: what each body decodes to, and which Status a bad one
// gets (the code decides the HTTP status through error_map).
#include <gtest/gtest.h>

#include "http/codecs/cohere_rerank.h"
#include "http/codecs/score_pairs.h"
#include "http/codecs/tei_predict.h"
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
  EXPECT_FALSE(input->request.truncation.enabled);
  EXPECT_EQ(input->request.truncation.side, text::TruncationSide::kRight);
}

TEST(TeiRerankCodec, LeftTruncationIsAcceptedInEitherSpelling) {
  for (const char* direction : {"left", "Left"}) {
    auto input = decode_tei_rerank(std::string(R"({"query":"q","texts":["a"],)") +
                                       R"("truncation_direction":")" + direction + R"("})",
                                   limits());
    ASSERT_TRUE(input.ok()) << input.status().to_string();
    EXPECT_EQ(input->request.truncation.side, text::TruncationSide::kLeft) << direction;
  }
  EXPECT_EQ(
      decode_tei_rerank(R"({"query":"q","texts":["a"],"truncation_direction":"up"})", limits())
          .status()
          .code(),
      StatusCode::kInvalidArgument);
}

TEST(TeiRerankCodec, DefaultsFollowTei) {
  auto input = decode_tei_rerank(R"({"query":"","texts":["a"]})", limits(4, false));
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(input->request.mode, engine::ScoreMode::kActivated);
  EXPECT_FALSE(input->return_text);
  EXPECT_FALSE(input->request.truncation.enabled);  // absent: auto_truncate
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

Result<CohereRerankInput> v1(std::string_view body) {
  return decode_cohere_rerank(body, limits(), CohereApi::kV1);
}
Result<CohereRerankInput> v2(std::string_view body) {
  return decode_cohere_rerank(body, limits(), CohereApi::kV2);
}

TEST(CohereRerankCodec, DocumentsAsStringsAndObjects) {
  auto input = v1(R"({"model":"m","query":"q","documents":["a",{"text":"b","id":7}],"top_n":1,)"
                  R"("return_documents":true})");
  ASSERT_TRUE(input.ok()) << input.status().to_string();
  EXPECT_EQ(input->model, "m");
  EXPECT_EQ(input->request.documents, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(input->request.top_n, 1u);
  EXPECT_TRUE(input->return_documents);
  // Returned documents are what was sent: a string as {"text"}, an object whole.
  EXPECT_EQ(input->documents_json,
            (std::vector<std::string>{R"({"text":"a"})", R"({"text":"b","id":7})"}));
}

TEST(CohereRerankCodec, RankFieldsJoinNamedFieldsInOrder) {
  auto input = v1(R"({"query":"q","rank_fields":["title","body"],"documents":[)"
                  R"({"body":"B","title":"T","id":1},{"body":"only body"},"plain"]})");
  ASSERT_TRUE(input.ok()) << input.status().to_string();
  EXPECT_EQ(input->request.documents,
            (std::vector<std::string>{"title: T\nbody: B", "body: only body", "plain"}));
  EXPECT_EQ(
      v1(R"({"query":"q","rank_fields":["title"],"documents":[{"body":"B"}]})").status().code(),
      StatusCode::kInvalidArgument);
}

TEST(CohereRerankCodec, NullOptionalsAreTheDefaults) {
  // langchain-cohere sends "top_n": null and "max_tokens_per_doc": null.
  auto input = v2(R"({"model":"m","query":"q","documents":["a"],"top_n":null,)"
                  R"("max_tokens_per_doc":null,"priority":null})");
  ASSERT_TRUE(input.ok()) << input.status().to_string();
  EXPECT_EQ(input->request.top_n, 0u);
  EXPECT_EQ(input->request.truncation.max_document_tokens, 0);
}

TEST(CohereRerankCodec, V2TakesMaxTokensPerDocAndOnlyStrings) {
  auto input = v2(R"({"model":"m","query":"q","documents":["a","b"],"max_tokens_per_doc":7})");
  ASSERT_TRUE(input.ok()) << input.status().to_string();
  EXPECT_EQ(input->request.truncation.max_document_tokens, 7);
  EXPECT_EQ(v2(R"({"model":"m","query":"q","documents":[{"text":"a"}]})").status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(CohereRerankCodec, UnsupportedFieldsAreRefusedByName) {
  const Status chunks = v1(R"({"query":"q","documents":["a"],"max_chunks_per_doc":10})").status();
  EXPECT_EQ(chunks.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(chunks.message().find("max_chunks_per_doc"), std::string::npos) << chunks.message();
  const Status priority =
      v2(R"({"model":"m","query":"q","documents":["a"],"priority":5})").status();
  EXPECT_NE(priority.message().find("priority"), std::string::npos) << priority.message();
  const Status unknown =
      v2(R"({"model":"m","query":"q","documents":["a"],"rank_fields":["x"]})").status();
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("\"rank_fields\""), std::string::npos) << unknown.message();
  const Status typo = v1(R"({"query":"q","documents":["a"],"topn":1})").status();
  EXPECT_NE(typo.message().find("\"topn\""), std::string::npos) << typo.message();
}

TEST(CohereRerankCodec, ErrorsHaveTheirCodes) {
  EXPECT_EQ(v1(R"({"query":"q","documents":[{"txt":"a"}]})").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(v1(R"({"query":"q","documents":[true]})").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(v1(R"({"query":"q","documents":["a"],"top_n":0})").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(v1(R"({"query":"q","documents":["a"],"model":5})").status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(CohereRerankCodec, EncodesBothApiShapes) {
  engine::RerankResponse response;
  response.ranked = {{2, 1.0f}};
  response.total_tokens = 42;
  const std::vector<std::string> documents = {R"({"text":"a"})", R"({"text":"b"})",
                                              R"({"text":"c","id":3})"};
  CohereReplyContext context;
  context.id = "id1";
  context.model = "m";
  context.documents = 3;
  const std::string meta1 =
      R"("meta":{"api_version":{"version":"1"},"billed_units":{"search_units":1},)"
      R"("tokens":{"input_tokens":42,"output_tokens":0}})";
  EXPECT_EQ(encode_cohere_rerank(response, context),
            R"({"id":"id1","results":[{"index":2,"relevance_score":1}],)" + meta1 +
                R"(,"model":"m","usage":{"total_tokens":42}})");
  context.documents_json = &documents;
  EXPECT_EQ(
      encode_cohere_rerank(response, context),
      R"({"id":"id1","results":[{"index":2,"relevance_score":1,"document":{"text":"c","id":3}}],)" +
          meta1 + R"(,"model":"m","usage":{"total_tokens":42}})");
  context.api = CohereApi::kV2;
  context.documents_json = nullptr;
  context.documents = 250;
  EXPECT_EQ(encode_cohere_rerank(response, context),
            R"({"id":"id1","results":[{"index":2,"relevance_score":1}],)"
            R"("meta":{"api_version":{"version":"2"},"billed_units":{"search_units":3},)"
            R"("tokens":{"input_tokens":42,"output_tokens":0}}})");
}

TEST(TeiPredictCodec, OnePairOrABatchOfPairs) {
  auto one = decode_tei_predict(R"({"inputs":["q","p"],"parameters":{}})", limits());
  ASSERT_TRUE(one.ok()) << one.status().to_string();
  EXPECT_FALSE(one->batch);
  ASSERT_EQ(one->request.pairs.size(), 1u);
  EXPECT_EQ(one->request.pairs[0].document, "p");
  auto batch =
      decode_tei_predict(R"({"inputs":[["q1","p1"],["q2","p2"]],"raw_scores":true})", limits());
  ASSERT_TRUE(batch.ok()) << batch.status().to_string();
  EXPECT_TRUE(batch->batch);
  EXPECT_EQ(batch->request.pairs.size(), 2u);
  EXPECT_EQ(batch->request.mode, engine::ScoreMode::kRaw);
}

TEST(TeiPredictCodec, ASingleTextIsRefusedSayingWhy) {
  for (const char* body :
       {R"({"inputs":"text"})", R"({"inputs":["text"]})", R"({"inputs":[["q","p"],["alone"]]})"}) {
    const Status status = decode_tei_predict(body, limits()).status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << body;
    EXPECT_NE(status.message().find("pairs"), std::string::npos) << status.message();
  }
}

TEST(TeiPredictCodec, EncodesTeisShapes) {
  engine::ScoreResponse response;
  response.scores = {0.5f};
  EXPECT_EQ(encode_tei_predict(response, false, "LABEL_0"), R"([{"score":0.5,"label":"LABEL_0"}])");
  response.scores = {0.5f, 0.25f};
  EXPECT_EQ(encode_tei_predict(response, true, "rel"),
            R"([[{"score":0.5,"label":"rel"}],[{"score":0.25,"label":"rel"}]])");
}

TEST(ScoreCodec, DecodesPairs) {
  auto input =
      decode_score(R"({"pairs":[["q1","p1"],["q2","p2"]],"truncate":true})", limits(4, false));
  ASSERT_TRUE(input.ok()) << input.status().to_string();
  ASSERT_EQ(input->pairs.size(), 2u);
  EXPECT_EQ(input->pairs[1].query, "q2");
  EXPECT_EQ(input->pairs[1].document, "p2");
  EXPECT_TRUE(input->truncation.enabled);
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
