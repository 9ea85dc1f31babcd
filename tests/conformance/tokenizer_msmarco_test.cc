// All 12,000 MS MARCO pairs must encode exactly as Hugging Face `tokenizers` does (fixture:
// tests/fixtures/tokenizer/msmarco_pairs.tsv from tools/make_tokenizer_fixtures.py).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "encoding_hash.h"
#include "support/test_env.h"
#include "tokenizer_loaders.h"

namespace rerankd::testing {
namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
    fields.push_back(line.substr(start, tab - start));
  }
  fields.push_back(line.substr(start));
  return fields;
}

class MsMarcoConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(MsMarcoConformance, AllPairsMatchHuggingFace) {
  const text::Tokenizer tokenizer = load_bert_tokenizer(GetParam());
  std::ifstream pairs(data_dir() / "msmarco" / "dev_small_bm25top20_600q.tsv");
  std::ifstream expected(fixtures_dir() / fixture_folder(GetParam()) / "msmarco_pairs.tsv");
  ASSERT_TRUE(pairs) << "cannot open the MS MARCO sample";
  ASSERT_TRUE(expected) << "cannot open msmarco_pairs.tsv";

  std::string pair_line;
  std::string expected_line;
  int line_number = 0;
  int failures = 0;
  text::Encoding encoding;
  while (std::getline(pairs, pair_line)) {
    ++line_number;
    ASSERT_TRUE(std::getline(expected, expected_line))
        << "fixture ends before line " << line_number;
    const auto fields = split_tabs(pair_line);
    ASSERT_EQ(fields.size(), 6u) << "line " << line_number;
    const auto want = split_tabs(expected_line);
    ASSERT_EQ(want.size(), 2u) << "fixture line " << line_number;

    const Status status = tokenizer.encode_pair(fields[4], fields[5], {}, encoding);
    ASSERT_TRUE(status.ok()) << "line " << line_number << ": " << status.to_string();
    const std::string hash = hex16(fnv1a(encoding));
    if (std::to_string(encoding.size()) != want[0] || hash != want[1]) {
      // Only a hash is stored, so show our ids: compare them with
      // Tokenizer.from_file(...).encode(query, passage).ids to find the first difference.
      std::ostringstream ids;
      for (const std::int32_t id : encoding.input_ids) ids << id << ' ';
      ADD_FAILURE() << "MS MARCO line " << line_number << ": " << encoding.size()
                    << " tokens, hash " << hash << "; Hugging Face: " << want[0] << " tokens, hash "
                    << want[1] << "\n  query: " << fields[4] << "\n  ours: " << ids.str();
      if (++failures >= 5) break;
    }
  }
  if (failures == 0) {
    EXPECT_EQ(line_number, 12000);
  }
}

INSTANTIATE_TEST_SUITE_P(Loaders, MsMarcoConformance, ::testing::ValuesIn(kTokenizerLoaders));

}  // namespace
}  // namespace rerankd::testing
