#include "tokenizer_loaders.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "support/test_env.h"

namespace rerankd::testing {

text::Tokenizer load_bert_tokenizer(const std::string& loader) {
  const auto dir = data_dir() / "bert-base-uncased";
  auto tokenizer =
      loader == "xlmr" ? text::Tokenizer::from_tokenizer_json(fixtures_dir() / "xlmr_tokenizer" /
                                                              "tokenizer.json")
      : loader == "tokenizer_json"
          ? text::Tokenizer::from_tokenizer_json(dir / "tokenizer.json")
          : text::Tokenizer::from_vocab_txt(dir / "vocab.txt", dir / "tokenizer_config.json");
  if (!tokenizer.ok()) throw std::runtime_error(tokenizer.status().to_string());
  return std::move(tokenizer).value();
}

std::string fixture_folder(const std::string& loader) {
  return loader == "xlmr" ? "xlmr_tokenizer" : "tokenizer";
}

}  // namespace rerankd::testing
