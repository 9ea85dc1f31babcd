// Added tokens whose written ids disagree with the vocabulary take the ids Hugging Face gives
// them (text/added_token_ids.h), through both loaders, against tests/fixtures/tokenizer/
// added_token_ids.json from tools/make_added_token_fixtures.py (tokenizers 0.23.3 for
// tokenizer.json, transformers 5 for vocab.txt + tokenizer_config.json). Found by
// fuzz_tokenizer_json: "<s>" written as id 90 over a vocabulary holding it at 0 came out as 90.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/test_env.h"
#include "text/tokenizer.h"

namespace rerankd::testing {
namespace {

class AddedTokenIds : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rerankd_added_token_ids_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes the case's files and loads them with the case's loader.
  Result<text::Tokenizer> load(simdjson::dom::element files, std::string_view loader) {
    for (const auto file : files.get_object()) {
      std::ofstream(dir_ / std::string(file.key)) << std::string_view(file.value.get_string());
    }
    if (loader == "tokenizer.json") {
      return text::Tokenizer::from_tokenizer_json(dir_ / "tokenizer.json");
    }
    return text::Tokenizer::from_vocab_txt(dir_ / "vocab.txt", dir_ / "tokenizer_config.json");
  }

  std::filesystem::path dir_;
};

TEST_F(AddedTokenIds, EveryCaseGivesHuggingFacesIds) {
  simdjson::dom::parser parser;
  const auto fixture = fixtures_dir() / "tokenizer" / "added_token_ids.json";
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(fixture.string()).get(doc), simdjson::SUCCESS) << fixture;
  int cases = 0;
  for (const auto test_case : doc["cases"].get_array()) {
    const std::string name(test_case["name"].get_string().value());
    SCOPED_TRACE(name);
    ++cases;
    auto tokenizer = load(test_case["files"], test_case["loader"].get_string().value());
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().to_string();
    EXPECT_EQ(tokenizer->vocab_size(), test_case["vocab_size"].get_int64().value());
    for (const auto entry : test_case["added"].get_object()) {
      const auto id = static_cast<std::int32_t>(entry.value.get_int64().value());
      EXPECT_EQ(tokenizer->id_to_token(id), entry.key) << "id " << id;
    }
    const auto pairs = test_case["pairs"].get_array();
    const auto expected = test_case["expected_ids"].get_array();
    ASSERT_EQ(pairs.size(), expected.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const auto pair = pairs.at(i).get_array();
      std::vector<std::int32_t> want;
      for (const auto id : expected.at(i).get_array()) {
        want.push_back(static_cast<std::int32_t>(id.get_int64().value()));
      }
      text::Encoding encoding;
      ASSERT_TRUE(tokenizer
                      ->encode_pair(pair.at(0).get_string().value(),
                                    pair.at(1).get_string().value(), text::TokenizeOptions{},
                                    encoding)
                      .ok());
      EXPECT_EQ(encoding.input_ids, want) << "pair " << i;
      // Every id it produces it can also decode, the added ones past the vocabulary included.
      EXPECT_TRUE(tokenizer->decode(encoding.input_ids, false).ok()) << "pair " << i;
    }
  }
  EXPECT_EQ(cases, 7);
}

}  // namespace
}  // namespace rerankd::testing
