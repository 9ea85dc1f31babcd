// Hand-written hard cases (tests/fixtures/tokenizer/hard_cases.jsonl) against the full ids
// Hugging Face `tokenizers` produced for them (hard_cases_expected.jsonl).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/test_env.h"
#include "tokenizer_loaders.h"

namespace rerankd::testing {
namespace {

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::int32_t> int_array(simdjson::dom::element value) {
  std::vector<std::int32_t> out;
  for (const auto item : value.get_array())
    out.push_back(static_cast<std::int32_t>(item.get_int64()));
  return out;
}

// "" when equal, else where and how they first differ.
std::string first_difference(const std::vector<std::int32_t>& ours,
                             const std::vector<std::int32_t>& theirs) {
  for (std::size_t i = 0; i < std::max(ours.size(), theirs.size()); ++i) {
    if (i >= ours.size() || i >= theirs.size() || ours[i] != theirs[i]) {
      return "first difference at position " + std::to_string(i) + ": ours " +
             (i < ours.size() ? std::to_string(ours[i]) : "<end>") + ", Hugging Face " +
             (i < theirs.size() ? std::to_string(theirs[i]) : "<end>") + " (lengths " +
             std::to_string(ours.size()) + " vs " + std::to_string(theirs.size()) + ")";
    }
  }
  return "";
}

class HardCases : public ::testing::TestWithParam<std::string> {};

TEST_P(HardCases, MatchHuggingFace) {
  const text::Tokenizer tokenizer = load_bert_tokenizer(GetParam());
  const auto cases = read_lines(fixtures_dir() / fixture_folder(GetParam()) / "hard_cases.jsonl");
  const auto expected =
      read_lines(fixtures_dir() / fixture_folder(GetParam()) / "hard_cases_expected.jsonl");
  ASSERT_GT(cases.size(), 40u);
  ASSERT_EQ(cases.size(), expected.size()) << "regenerate with tools/make_*tokenizer_fixtures.py";

  simdjson::dom::parser case_parser;
  simdjson::dom::parser expected_parser;
  for (std::size_t n = 0; n < cases.size(); ++n) {
    const simdjson::dom::element input = case_parser.parse(cases[n]);
    const simdjson::dom::element want = expected_parser.parse(expected[n]);
    const std::string name(input["name"].get_string().value());
    SCOPED_TRACE("hard_cases.jsonl line " + std::to_string(n + 1) + " (" + name + ")");

    text::TokenizeOptions options;
    std::int64_t max_length = 512;
    if (input["max_length"].get(max_length) == simdjson::SUCCESS) {
      options.max_length = static_cast<int>(max_length);
    }
    std::string_view truncation = "longest_first";
    if (input["truncation"].get(truncation) != simdjson::SUCCESS) truncation = "longest_first";
    options.truncation = truncation == "only_second" ? text::Truncation::kOnlySecond
                         : truncation == "none"      ? text::Truncation::kNone
                                                     : text::Truncation::kLongestFirst;
    std::string_view direction = "right";
    if (input["direction"].get(direction) != simdjson::SUCCESS) direction = "right";
    options.side = direction == "left" ? text::TruncationSide::kLeft : text::TruncationSide::kRight;

    const auto encoding = tokenizer.encode_pair(input["query"].get_string().value(),
                                                input["document"].get_string().value(), options);
    bool error = false;
    if (want["error"].get(error) != simdjson::SUCCESS) error = false;
    if (error) {
      ASSERT_FALSE(encoding.ok()) << "Hugging Face refuses this pair; we encoded it";
      EXPECT_EQ(encoding.status().code(), StatusCode::kOutOfRange) << encoding.status().to_string();
      continue;
    }
    ASSERT_TRUE(encoding.ok()) << encoding.status().to_string();
    EXPECT_EQ(first_difference(encoding->input_ids, int_array(want["input_ids"])), "")
        << "input_ids";
    // XLM-R fixtures store no type ids: every one is 0.
    simdjson::dom::element type_ids;
    const std::vector<std::int32_t> want_types =
        want["token_type_ids"].get(type_ids) == simdjson::SUCCESS
            ? int_array(type_ids)
            : std::vector<std::int32_t>(encoding->input_ids.size(), 0);
    EXPECT_EQ(first_difference(encoding->token_type_ids, want_types), "") << "token_type_ids";
  }
}

INSTANTIATE_TEST_SUITE_P(Loaders, HardCases, ::testing::ValuesIn(kTokenizerLoaders));

}  // namespace
}  // namespace rerankd::testing
