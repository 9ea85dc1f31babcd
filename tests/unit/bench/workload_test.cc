#include "bench/workload.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "support/test_env.h"

namespace rerankd::bench {
namespace {

std::vector<BenchRequest> make(const WorkloadSpec& spec) {
  auto workload = make_workload(spec, testing::data_dir());
  EXPECT_TRUE(workload.ok()) << workload.status().to_string();
  return workload.ok() ? *workload : std::vector<BenchRequest>{};
}

std::vector<std::string> words_of(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

TEST(Workload, MsmarcoGivesOneRequestPerQueryWithItsCandidates) {
  WorkloadSpec spec;
  const auto requests = make(spec);
  ASSERT_EQ(requests.size(), 600u);
  EXPECT_EQ(requests[0].query, "____________________ is considered the father of modern medicine.");
  ASSERT_EQ(requests[0].documents.size(), 20u);
  EXPECT_EQ(requests[0].documents[0].rfind("TRUE. Hippocrates is considered", 0), 0u);
  EXPECT_NE(requests[0].query, requests[1].query);
}

TEST(Workload, MsmarcoFewerDocumentsTakesTheFirstRanks) {
  WorkloadSpec spec;
  spec.documents = 3;
  spec.requests = 2;
  const auto requests = make(spec);
  ASSERT_EQ(requests.size(), 2u);
  const auto full = make(WorkloadSpec{});
  ASSERT_EQ(requests[1].documents.size(), 3u);
  for (int d = 0; d < 3; ++d) EXPECT_EQ(requests[1].documents[d], full[1].documents[d]);
}

TEST(Workload, MsmarcoMoreDocumentsFillFromTheFollowingQueries) {
  WorkloadSpec spec;
  spec.documents = 50;
  const auto requests = make(spec);
  const auto full = make(WorkloadSpec{});
  ASSERT_EQ(requests[0].documents.size(), 50u);
  EXPECT_EQ(requests[0].documents[20], full[1].documents[0]);
  EXPECT_EQ(requests[0].documents[45], full[2].documents[5]);
  // The last query wraps around to the first.
  EXPECT_EQ(requests[599].documents[20], full[0].documents[0]);
}

// Long documents: each joins consecutive passages of the same stream the plain workload takes.
TEST(Workload, MsmarcoPassagesPerDocumentJoinsConsecutivePassages) {
  WorkloadSpec spec;
  spec.documents = 3;
  spec.passages_per_document = 8;
  spec.requests = 2;
  const auto requests = make(spec);
  const auto full = make(WorkloadSpec{});
  ASSERT_EQ(requests.size(), 2u);
  ASSERT_EQ(requests[1].documents.size(), 3u);
  std::string second = full[1].documents[8];
  for (int k = 9; k < 16; ++k) second += " " + full[1].documents[k];
  EXPECT_EQ(requests[1].documents[1], second);
  // The third document runs past query 1's 20 candidates into query 2's.
  EXPECT_EQ(requests[1].documents[2].rfind(full[1].documents[16], 0), 0u);
  EXPECT_NE(requests[1].documents[2].find(" " + full[2].documents[3]), std::string::npos);
}

TEST(Workload, SyntheticIsDeterministicAndWithinBounds) {
  WorkloadSpec spec;
  spec.kind = "synthetic";
  spec.documents = 5;
  spec.requests = 40;
  spec.min_tokens = 10;
  spec.max_tokens = 30;
  spec.mean_tokens = 20;
  spec.stddev_tokens = 10;
  spec.query_tokens = 4;
  const auto a = make(spec);
  const auto b = make(spec);
  ASSERT_EQ(a.size(), 40u);
  std::set<std::size_t> lengths;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].query, b[i].query);
    EXPECT_EQ(a[i].documents, b[i].documents);
    EXPECT_EQ(words_of(a[i].query).size(), 4u);
    ASSERT_EQ(a[i].documents.size(), 5u);
    for (const auto& document : a[i].documents) {
      const auto words = words_of(document);
      EXPECT_GE(words.size(), 10u);
      EXPECT_LE(words.size(), 30u);
      lengths.insert(words.size());
      for (const auto& word : words) {
        for (char c : word) EXPECT_TRUE(c >= 'a' && c <= 'z') << word;
      }
    }
  }
  EXPECT_GT(lengths.size(), 5u);  // a distribution, not one length
  spec.seed = 2;
  EXPECT_NE(make(spec)[0].documents, a[0].documents);
}

TEST(Workload, SyntheticDefaultsTo256Requests) {
  WorkloadSpec spec;
  spec.kind = "synthetic";
  spec.documents = 1;
  EXPECT_EQ(make(spec).size(), 256u);
}

TEST(Workload, BadSpecsNameTheField) {
  WorkloadSpec spec;
  spec.kind = "nope";
  auto result = make_workload(spec, testing::data_dir());
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("workload.kind"), std::string::npos);

  spec = WorkloadSpec{};
  spec.documents = 0;
  result = make_workload(spec, testing::data_dir());
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("workload.documents"), std::string::npos);

  spec = WorkloadSpec{};
  spec.passages_per_document = 0;
  result = make_workload(spec, testing::data_dir());
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("workload.passages_per_document"), std::string::npos);

  spec = WorkloadSpec{};
  spec.kind = "synthetic";
  spec.min_tokens = 50;
  spec.max_tokens = 10;
  result = make_workload(spec, testing::data_dir());
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("workload.max_tokens"), std::string::npos);
}

TEST(Workload, MissingOrMalformedDataNamesTheFile) {
  auto result = make_workload(WorkloadSpec{}, "/nonexistent-rerankd-data");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("dev_small_bm25top20_600q.tsv"), std::string::npos);

  const auto dir = testing::make_temp_dir("workload");
  std::filesystem::create_directories(dir / "msmarco");
  std::ofstream(dir / "msmarco/dev_small_bm25top20_600q.tsv") << "1\t2\t1\t0\tq\tp\nbroken line\n";
  result = make_workload(WorkloadSpec{}, dir);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find(":2:"), std::string::npos) << result.status().message();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rerankd::bench
