// `rerankd serve` as clients see it: the real binary on a loopback port, real HTTP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "common/json_writer.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/server_process.h"
#include "support/test_env.h"

namespace rerankd {
namespace {

using rerankd::testing::HttpClient;
using rerankd::testing::ServerProcess;
using ::testing::HasSubstr;

const std::string kQuery = "how do vaccines train the immune system";
const std::vector<std::string> kDocuments = {
    "Vaccines expose the immune system to a harmless piece of a pathogen.",
    "The stock market closed higher on Friday.",
    "Memory B cells remain ready for a real infection.",
    "Stretching before running reduces strains.",
    "Booster doses raise antibody levels again.",
};

std::string json_string(const std::string& text) {
  std::string out;
  json::append_string(out, text);
  return out;
}

std::string documents_array() {
  std::string out = "[";
  for (std::size_t i = 0; i < kDocuments.size(); ++i) {
    if (i > 0) out += ',';
    out += json_string(kDocuments[i]);
  }
  return out + "]";
}

// Scores of (kQuery, document) from the one-shot CLI, in document order.
std::vector<double> cli_scores(const std::string& model, bool raw) {
  const auto dir = rerankd::testing::make_temp_dir("cli-scores");
  const auto input = dir / "pairs.jsonl";
  {
    std::ofstream out(input);
    for (const auto& document : kDocuments) {
      out << "{\"query\":" << json_string(kQuery) << ",\"document\":" << json_string(document)
          << "}\n";
    }
  }
  std::vector<std::string> argv{
      rerankd::testing::rerankd_binary().string(), "score", "-m", model, "-i", input.string()};
  if (raw) argv.push_back("--raw-scores");
  const auto result = rerankd::testing::run_process(argv);
  EXPECT_EQ(result.exit_status, 0) << result.stderr_text;
  std::vector<double> scores;
  simdjson::dom::parser parser;
  std::size_t begin = 0;
  while (begin < result.stdout_text.size()) {
    const auto end = result.stdout_text.find('\n', begin);
    scores.push_back(double(parser.parse(result.stdout_text.substr(begin, end - begin))["score"]));
    begin = end + 1;
  }
  std::filesystem::remove_all(dir);
  return scores;
}

class ServeProcessTest : public ::testing::Test {
 protected:
  static std::string tiny_model() { return rerankd::testing::tiny_model_dir().string(); }
};

// threads: 0 shares the cores among the workers (engine/worker_threads.h), and /info says so.
TEST_F(ServeProcessTest, InfoShowsTheCoresSharedAmongWorkers) {
  ServerProcess server({"--model", tiny_model(), "--server.max_concurrency", "2"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  HttpClient client(server.port());
  const auto info = client.get("/info");
  ASSERT_EQ(info.status, 200);
  simdjson::dom::parser parser;
  const simdjson::dom::element info_json = parser.parse(info.body);
  const auto cores = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(std::int64_t(info_json["max_concurrency"]), 2);
  EXPECT_EQ(std::int64_t(info_json["threads_per_worker"]), std::max<std::int64_t>(1, cores / 2));
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.stderr_text();
}

TEST_F(ServeProcessTest, StatusEndpointsAnswer) {
  ServerProcess server({"--model", tiny_model()});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  HttpClient client(server.port());
  EXPECT_EQ(client.get("/health").status, 200);
  EXPECT_EQ(client.get("/ready").status, 200);

  const auto info = client.get("/info");
  ASSERT_EQ(info.status, 200);
  simdjson::dom::parser parser;
  const simdjson::dom::element info_json = parser.parse(info.body);
  EXPECT_EQ(std::string_view(info_json["backend"]), "cpu");  // the default

  const auto openapi = client.get("/openapi.json");
  ASSERT_EQ(openapi.status, 200);
  const simdjson::dom::element spec = parser.parse(openapi.body);
  EXPECT_EQ(std::string_view(spec["openapi"]).substr(0, 2), "3.");
  EXPECT_EQ(spec["paths"]["/rerank"].error(), simdjson::SUCCESS);
  EXPECT_EQ(spec["paths"]["/v1/rerank"].error(), simdjson::SUCCESS);

  const auto metrics = client.get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("rerankd_batch_size_pairs"));
  EXPECT_THAT(metrics.body, HasSubstr("rerankd_build_info{version=\""));
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.stderr_text();
  // The access log (on by default): one JSON line per request, naming route and status.
  EXPECT_THAT(server.stderr_text(), HasSubstr(R"("method":"GET","route":"/info","status":200)"));
}

// Draining (server.shutdown_delay_ms): after SIGTERM /ready is 503 at once, so a balancer's
// health check takes the replica out, while requests are still scored, each on a connection
// that then closes; after the delay the server stops listening and exits 0. A second SIGTERM
// would end the delay early; this one waits it out.
TEST_F(ServeProcessTest, SigtermDrainsWithReadyUnreadyWhileStillScoring) {
  ServerProcess server({"--model", tiny_model(), "--server.shutdown_delay_ms", "1500"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  HttpClient before(server.port());
  EXPECT_EQ(before.get("/ready").status, 200);
  const std::string body =
      "{\"query\":" + json_string(kQuery) + ",\"texts\":" + documents_array() + "}";
  const auto scored_before = before.post("/rerank", body);
  ASSERT_EQ(scored_before.status, 200) << scored_before.body;

  server.send_signal(SIGTERM);
  // The drain starts when the signal is taken; wait for the server to say so.
  for (int i = 0; i < 200 && server.stderr_text().find("draining:") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_THAT(server.stderr_text(), HasSubstr("draining: /ready is 503"));
  HttpClient during(server.port());
  const auto ready = during.get("/ready");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_THAT(ready.body, HasSubstr("draining"));
  EXPECT_EQ(ready.header("connection"), "close");
  EXPECT_EQ(HttpClient(server.port()).get("/health").status, 200);  // alive, not ready
  HttpClient scoring(server.port());
  const auto scored = scoring.post("/rerank", body);
  EXPECT_EQ(scored.status, 200) << scored.body;
  EXPECT_EQ(scored.body, scored_before.body);  // the same scores while draining
  EXPECT_EQ(scored.header("connection"), "close");
  EXPECT_EQ(server.wait_for_exit(), 0) << server.stderr_text();
  EXPECT_THAT(server.stderr_text(), HasSubstr("stopped listening"));
}

TEST_F(ServeProcessTest, TokenizeAndDecodeUseTheServedTokenizer) {
  ServerProcess server({"--model", tiny_model()});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  HttpClient client(server.port());
  const auto tokens = client.post("/tokenize", R"({"inputs":["Café tokenization"]})");
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  simdjson::dom::parser parser;
  const simdjson::dom::element list = parser.parse(tokens.body);
  const simdjson::dom::array first = list.at(0).get_array();
  ASSERT_GE(first.size(), 4u) << tokens.body;
  EXPECT_EQ(bool(first.at(0)["special"]), true);  // [CLS]
  EXPECT_TRUE(first.at(0)["start"].is_null());
  EXPECT_EQ(std::string_view(first.at(1)["text"]), "Café");  // the input's bytes, not "cafe"
  EXPECT_EQ(int64_t(first.at(1)["start"]), 0);
  EXPECT_EQ(int64_t(first.at(1)["stop"]), 5);  // bytes: é is two
  std::string ids = "[";
  for (const auto token : first) {
    if (ids.size() > 1) ids += ',';
    ids += std::to_string(int64_t(token["id"]));
  }
  ids += "]";
  const auto decoded = client.post("/decode", R"({"ids":)" + ids + "}");
  ASSERT_EQ(decoded.status, 200) << decoded.body;
  EXPECT_EQ(decoded.body, R"(["cafe tokenization"])");
  const auto empty = client.post("/decode", R"({"ids":[]})");
  EXPECT_EQ(empty.status, 400) << empty.body;
  EXPECT_THAT(empty.body, HasSubstr(R"("error_type":"Empty")"));
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.stderr_text();
}

TEST_F(ServeProcessTest, VersionNamesTheCommitAndBackends) {
  const auto version =
      rerankd::testing::run_process({rerankd::testing::rerankd_binary().string(), "--version"});
  EXPECT_EQ(version.exit_status, 0) << version.stderr_text;
  EXPECT_THAT(version.stdout_text, HasSubstr("rerankd 0."));
  EXPECT_THAT(version.stdout_text, HasSubstr("commit "));
  EXPECT_THAT(version.stdout_text, HasSubstr("backends: reference"));
}

// Every rerank format and /score give the one-shot CLI's scores for `model`.
void check_rerank_formats_match_cli(const std::string& model) {
  const auto expected = cli_scores(model, false);
  const auto expected_raw = cli_scores(model, true);
  ASSERT_EQ(expected.size(), kDocuments.size());
  ServerProcess server({"--model", model});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  HttpClient client(server.port());
  simdjson::dom::parser parser;

  // TEI: sorted best first, index points back into texts.
  const auto tei = client.post(
      "/rerank", "{\"query\":" + json_string(kQuery) + ",\"texts\":" + documents_array() + "}");
  ASSERT_EQ(tei.status, 200) << tei.body;
  double previous = INFINITY;
  std::size_t seen = 0;
  for (const auto item : parser.parse(tei.body).get_array()) {
    const auto index = std::size_t(uint64_t(item["index"]));
    const double score = double(item["score"]);
    EXPECT_NEAR(score, expected[index], 1e-6) << "document " << index;
    EXPECT_LE(score, previous);
    previous = score;
    ++seen;
  }
  EXPECT_EQ(seen, kDocuments.size());

  const auto tei_raw = client.post("/rerank", "{\"query\":" + json_string(kQuery) + ",\"texts\":" +
                                                  documents_array() + ",\"raw_scores\":true}");
  ASSERT_EQ(tei_raw.status, 200);
  for (const auto item : parser.parse(tei_raw.body).get_array()) {
    const auto index = std::size_t(uint64_t(item["index"]));
    EXPECT_NEAR(double(item["score"]), expected_raw[index], 1e-5);
  }

  // Cohere/Jina: top_n and return_documents.
  const auto cohere = client.post("/v1/rerank", "{\"query\":" + json_string(kQuery) +
                                                    ",\"documents\":" + documents_array() +
                                                    ",\"top_n\":2,\"return_documents\":true}");
  ASSERT_EQ(cohere.status, 200) << cohere.body;
  const simdjson::dom::element cohere_json = parser.parse(cohere.body);
  std::size_t results = 0;
  for (const auto item : cohere_json["results"].get_array()) {
    const auto index = std::size_t(uint64_t(item["index"]));
    EXPECT_NEAR(double(item["relevance_score"]), expected[index], 1e-6);
    EXPECT_EQ(std::string_view(item["document"]["text"]), kDocuments[index]);
    ++results;
  }
  EXPECT_EQ(results, 2u);

  // /score: input order.
  std::string pairs = "{\"pairs\":[";
  for (std::size_t i = 0; i < kDocuments.size(); ++i) {
    if (i > 0) pairs += ',';
    pairs += "[" + json_string(kQuery) + "," + json_string(kDocuments[i]) + "]";
  }
  const auto score = client.post("/score", pairs + "]}");
  ASSERT_EQ(score.status, 200) << score.body;
  std::size_t i = 0;
  for (const auto value : parser.parse(score.body)["scores"].get_array()) {
    EXPECT_NEAR(double(value), expected[i], 1e-6);
    ++i;
  }
  EXPECT_EQ(i, kDocuments.size());
}

TEST_F(ServeProcessTest, BothRerankFormatsAndScoreMatchTheCli) {
  check_rerank_formats_match_cli(tiny_model());
}

// An XLM-RoBERTa cross-encoder (SentencePiece tokenizer, positions from pad + 1) needs nothing
// different from a client: the same APIs, the CLI's scores, and /info naming what it is.
TEST_F(ServeProcessTest, XlmRobertaModelServesLikeBert) {
  const std::string model = rerankd::testing::test_models_dir() / "xlmr-random";
  check_rerank_formats_match_cli(model);
  ServerProcess server({"--model", model});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  HttpClient client(server.port());
  const auto info = client.get("/info");
  ASSERT_EQ(info.status, 200);
  simdjson::dom::parser parser;
  const simdjson::dom::element info_json = parser.parse(info.body);
  EXPECT_THAT(info.body, HasSubstr("XLMRobertaForSequenceClassification"));
  EXPECT_EQ(std::int64_t(info_json["max_input_length"]), 512);  // 514 positions less pad + 1
  const auto tokens = client.post("/tokenize", R"({"inputs":["Ｃafé 東京"]})");
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  const simdjson::dom::array first = parser.parse(tokens.body).at(0).get_array();
  EXPECT_EQ(std::int64_t(first.at(0)["id"]), 0);                 // <s>
  EXPECT_EQ(std::int64_t(first.at(first.size() - 1)["id"]), 2);  // </s>
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.stderr_text();
}

// A model with bge-reranker-v2-m3's 8,194 positions: by default the server takes its whole
// position table (model.max_length 0), so a document of thousands of tokens is scored whole
// up to 8,192 tokens, and the limit is what /info says.
TEST_F(ServeProcessTest, LongXlmRobertaModelTakesPairsUpToItsLimitByDefault) {
  const std::string model = rerankd::testing::test_models_dir() / "xlmr-long";
  ServerProcess server({"--model", model, "--server.auto_truncate", "false"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  HttpClient client(server.port());
  const auto info = client.get("/info");
  ASSERT_EQ(info.status, 200);
  simdjson::dom::parser parser;
  EXPECT_EQ(std::int64_t(parser.parse(info.body)["max_input_length"]), 8192) << info.body;
  std::string words;
  // 9 tokens each with the fixture tokenizer: 5,400 tokens fit; twice as many do not, and
  // without truncation that is TEI's 422 naming the room left beside the special tokens.
  for (int i = 0; i < 600; ++i) words += "the river runs past the old mill ";
  const auto fits = client.post(
      "/rerank", R"({"query":"where is the mill","texts":[")" + words + R"(","a short one"]})");
  EXPECT_EQ(fits.status, 200) << fits.body.substr(0, 300);
  const auto over = client.post(
      "/rerank", R"({"query":"where is the mill","texts":[")" + words + words + R"("]})");
  EXPECT_EQ(over.status, 422) << over.body.substr(0, 300);
  EXPECT_THAT(over.body, HasSubstr("only 8188 fit")) << over.body.substr(0, 300);
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.stderr_text();
}

// Sum of batches that held more pairs than one request brings (2): evidence that requests
// shared batches.
std::uint64_t batches_larger_than(const std::string& metrics, int pairs) {
  const std::string total_prefix = "rerankd_batch_size_pairs_count";
  const std::string bucket =
      "rerankd_batch_size_pairs_bucket{le=\"" + std::to_string(pairs) + "\"}";
  auto value_of = [&](const std::string& name) -> std::uint64_t {
    const auto at = metrics.find(name);
    if (at == std::string::npos) return 0;
    const auto space = metrics.find(' ', at + name.size());
    return std::stoull(metrics.substr(space + 1, metrics.find('\n', space) - space - 1));
  };
  return value_of(total_prefix) - value_of(bucket);
}

TEST_F(ServeProcessTest, ConcurrentClientsGetTheirOwnScoresFromSharedBatches) {
  const auto expected = cli_scores(tiny_model(), false);
  ServerProcess server({"--model", tiny_model(), "--batching.max_batch_size", "128",
                        "--batching.timeout_ms", "1000", "--server.max_concurrency", "1"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  constexpr int kClients = 64;
  std::vector<std::future<std::string>> failures;
  for (int c = 0; c < kClients; ++c) {
    failures.push_back(std::async(std::launch::async, [&, c]() -> std::string {
      // Each client asks about two documents of its own choosing.
      const std::size_t a = c % kDocuments.size();
      const std::size_t b = (c + 1) % kDocuments.size();
      HttpClient client(server.port());
      const auto response = client.post(
          "/score", "{\"pairs\":[[" + json_string(kQuery) + "," + json_string(kDocuments[a]) +
                        "],[" + json_string(kQuery) + "," + json_string(kDocuments[b]) + "]]}");
      if (response.status != 200) return "status " + std::to_string(response.status);
      simdjson::dom::parser parser;
      std::vector<double> got;
      for (const auto v : parser.parse(response.body)["scores"].get_array())
        got.push_back(double(v));
      if (got.size() != 2 || std::abs(got[0] - expected[a]) > 1e-6 ||
          std::abs(got[1] - expected[b]) > 1e-6) {
        return "client " + std::to_string(c) + " got " + response.body;
      }
      return "";
    }));
  }
  for (auto& failure : failures) EXPECT_EQ(failure.get(), "");
  HttpClient client(server.port());
  const auto metrics = client.get("/metrics");
  EXPECT_GT(batches_larger_than(metrics.body, 2), 0u) << metrics.body;
}

TEST_F(ServeProcessTest, OverloadGives429sAndNoWrongAnswers) {
  const std::string model = rerankd::testing::conformance_model_dir().string();  // slow on purpose
  const auto expected = cli_scores(model, false);
  constexpr int kQueuePairs = 8;
  ServerProcess server({"--model", model, "--server.max_queue_pairs", std::to_string(kQueuePairs),
                        "--server.max_client_batch_size", "2", "--server.max_concurrency", "1",
                        "--batching.timeout_ms", "500", "--model.threads", "1"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  // 4N pairs offered at once: 2N requests of 2 pairs.
  std::vector<std::future<std::pair<int, std::string>>> responses;
  for (int c = 0; c < 2 * kQueuePairs; ++c) {
    responses.push_back(std::async(std::launch::async, [&, c] {
      HttpClient client(server.port());
      const std::size_t a = c % kDocuments.size();
      const auto response = client.post(
          "/score", "{\"pairs\":[[" + json_string(kQuery) + "," + json_string(kDocuments[a]) +
                        "],[" + json_string(kQuery) + "," + json_string(kDocuments[a]) + "]]}");
      std::string problem;
      if (response.status == 200) {
        simdjson::dom::parser parser;
        for (const auto v : parser.parse(response.body)["scores"].get_array()) {
          if (std::abs(double(v) - expected[a]) > 1e-5) problem = "wrong score " + response.body;
        }
      } else if (response.status == 429 && response.header("retry-after").empty()) {
        problem = "429 without Retry-After";
      }
      return std::make_pair(response.status, problem);
    }));
  }
  int ok = 0;
  int rejected = 0;
  for (auto& future : responses) {
    const auto [status, problem] = future.get();
    EXPECT_EQ(problem, "");
    EXPECT_LT(status, 500) << "a 5xx under overload";
    ok += status == 200;
    rejected += status == 429;
  }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(ok, 0);
  EXPECT_EQ(ok + rejected, 2 * kQueuePairs);
}

TEST_F(ServeProcessTest, SigtermAnswersEveryAdmittedRequest) {
  const std::string model = rerankd::testing::conformance_model_dir().string();
  ServerProcess server({"--model", model, "--server.max_concurrency", "1", "--model.threads", "1"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  std::vector<std::future<int>> responses;
  std::atomic<int> sent{0};
  for (int c = 0; c < 4; ++c) {
    responses.push_back(std::async(std::launch::async, [&] {
      HttpClient client(server.port());
      const auto body =
          "{\"query\":" + json_string(kQuery) + ",\"texts\":" + documents_array() + "}";
      ++sent;
      return client.post("/rerank", body).status;
    }));
  }
  // Wait until the server has work queued or running, then ask it to stop.
  HttpClient observer(server.port());
  for (int attempt = 0; attempt < 500; ++attempt) {
    const auto metrics = observer.get("/metrics").body;
    if (metrics.find("rerankd_inflight_batches 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.stderr_text();
  int answered = 0;
  for (auto& response : responses) {
    const int status = response.get();
    // Admitted before the signal: answered. Arrived after: refused cleanly, never dropped.
    EXPECT_TRUE(status == 200 || status == 503) << status;
    answered += status == 200;
  }
  EXPECT_GT(answered, 0) << "the batch in flight at SIGTERM was not answered";
}

TEST_F(ServeProcessTest, TooLongPairWithoutTruncationIsNamedInTheError) {
  ServerProcess server({"--model", tiny_model(), "--model.max_length", "64"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  // 40 documents, so the request is tokenized in several chunks; one of them is too long.
  std::string long_document;
  for (int i = 0; i < 100; ++i) long_document += "word ";
  std::string texts = "[";
  for (int i = 0; i < 40; ++i) {
    if (i > 0) texts += ',';
    texts += json_string(i == 33 ? long_document : kDocuments[i % kDocuments.size()]);
  }
  texts += "]";
  HttpClient client(server.port());
  const auto response = client.post("/rerank", "{\"query\":" + json_string(kQuery) +
                                                   ",\"texts\":" + texts + ",\"truncate\":false}");
  EXPECT_EQ(response.status, 422) << response.body;  // TEI 1.9's Validation
  EXPECT_THAT(response.body, HasSubstr("document 33"));
  const auto cohere =
      client.post("/v1/rerank", "{\"query\":" + json_string(kQuery) + ",\"documents\":" + texts +
                                    ",\"truncate\":false}");
  EXPECT_EQ(cohere.status, 413) << cohere.body;  // rerankd's too_large
  // The same request with truncation is answered.
  const auto truncated = client.post("/rerank", "{\"query\":" + json_string(kQuery) +
                                                    ",\"texts\":" + texts + ",\"truncate\":true}");
  EXPECT_EQ(truncated.status, 200) << truncated.body;
}

TEST_F(ServeProcessTest, PrintConfigShowsOverridesAndBadKeysAreNamed) {
  const auto print = rerankd::testing::run_process(
      {rerankd::testing::rerankd_binary().string(), "serve", "--model", tiny_model(),
       "--batching.max_batch_size", "96", "--print-config"});
  ASSERT_EQ(print.exit_status, 0) << print.stderr_text;
  EXPECT_THAT(print.stdout_text, HasSubstr("max_batch_size: 96"));
  // The environment sits between the file and the flags: TEI's names and RERANKD_<KEY>.
  const auto from_env = rerankd::testing::run_process(
      {"/usr/bin/env", "MAX_BATCH_TOKENS=12345", "RERANKD_BATCHING_MAX_BATCH_SIZE=77",
       "MAX_CLIENT_BATCH_SIZE=99", rerankd::testing::rerankd_binary().string(), "serve", "--model",
       tiny_model(), "--server.max_client_batch_size", "55", "--print-config"});
  ASSERT_EQ(from_env.exit_status, 0) << from_env.stderr_text;
  EXPECT_THAT(from_env.stdout_text, HasSubstr("max_batch_tokens: 12345"));
  EXPECT_THAT(from_env.stdout_text, HasSubstr("max_batch_size: 77"));
  EXPECT_THAT(from_env.stdout_text, HasSubstr("max_client_batch_size: 55"));  // the flag wins
  const auto bad =
      rerankd::testing::run_process({rerankd::testing::rerankd_binary().string(), "serve",
                                     "--model", tiny_model(), "--batching.timeout_ms", "-5"});
  EXPECT_NE(bad.exit_status, 0);
  EXPECT_THAT(bad.stderr_text, HasSubstr("batching.timeout_ms"));
}

}  // namespace
}  // namespace rerankd
