// Loading errors and the public Tokenizer API on small hand-made tokenizer files.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "support/test_env.h"
#include "text/tokenizer.h"

namespace rerankd::text {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

const char* const kVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n##s\n,\n";

std::string tokenizer_json(const std::string& model_type, const std::string& normalizer_type) {
  return R"({"version":"1.0","added_tokens":[
    {"id":3,"content":"[SEP]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
   "normalizer":{"type":")" +
         normalizer_type + R"(","clean_text":true,"handle_chinese_chars":true,
     "strip_accents":null,"lowercase":true},
   "pre_tokenizer":{"type":"BertPreTokenizer"},
   "post_processor":{"type":"BertProcessing","sep":["[SEP]",3],"cls":["[CLS]",2]},
   "model":{"type":")" +
         model_type + R"(","unk_token":"[UNK]","continuing_subword_prefix":"##",
     "max_input_chars_per_word":100,
     "vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"hello":4,"world":5,"##s":6}}})";
}

class TokenizerLoading : public ::testing::Test {
 protected:
  fs::path dir_ = rerankd::testing::make_temp_dir("text-loading");
};

TEST_F(TokenizerLoading, MissingFileIsNotFound) {
  const auto result = Tokenizer::from_tokenizer_json(dir_ / "tokenizer.json");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  EXPECT_NE(result.status().message().find("tokenizer.json"), std::string::npos);
  EXPECT_EQ(Tokenizer::from_directory(dir_).status().code(), StatusCode::kNotFound);
}

// Found by fuzz_tokenizer_json: a pair template with no sequence (Hugging Face loads it and
// emits its special tokens alone) names no [SEP] after sequence A, and tokenize_with_offsets
// added id -1 for it.
TEST_F(TokenizerLoading, ATemplateWithoutASepAfterSequenceAAddsNoInvalidId) {
  std::string json = tokenizer_json("WordPiece", "BertNormalizer");
  const std::string bert =
      R"("post_processor":{"type":"BertProcessing","sep":["[SEP]",3],"cls":["[CLS]",2]})";
  json.replace(
      json.find(bert), bert.size(),
      R"("post_processor":{"type":"TemplateProcessing","pair":[)"
      R"({"SpecialToken":{"id":"[CLS]","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":1}}],)"
      R"("special_tokens":{"[CLS]":{"id":"[CLS]","ids":[2],"tokens":["[CLS]"]},)"
      R"("[SEP]":{"id":"[SEP]","ids":[3],"tokens":["[SEP]"]}}})");
  write(dir_ / "tokenizer.json", json);
  const auto tokenizer = Tokenizer::from_tokenizer_json(dir_ / "tokenizer.json");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().to_string();
  std::vector<rerankd::text::TokenSpan> spans;
  ASSERT_TRUE(tokenizer->tokenize_with_offsets("hello worlds", true, spans).ok());
  std::vector<std::int32_t> ids;
  for (const auto& span : spans) ids.push_back(span.id);
  EXPECT_EQ(ids, (std::vector<std::int32_t>{2, 4, 5, 6}));  // [CLS] hello world ##s, no -1
}

// Found by fuzz_tokenizer_json: a Replace regex whose repeat count is past int's range made the
// loader throw (std::stoi) and terminate the process; it is an unsupported regex like any other.
TEST_F(TokenizerLoading, AReplaceCountPastAnIntIsAnUnsupportedRegex) {
  std::string json = tokenizer_json("WordPiece", "BertNormalizer");
  const std::size_t start = json.find(R"("normalizer":{)");
  const std::size_t end = json.find(R"("pre_tokenizer")");
  json.replace(
      start, end - start,
      R"("normalizer":{"type":"Replace","pattern":{"Regex":" {25555555555555555555555,}"},)"
      R"("content":" "},)");
  write(dir_ / "tokenizer.json", json);
  const auto loaded = Tokenizer::from_tokenizer_json(dir_ / "tokenizer.json");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(loaded.status().message().find("unsupported Replace regex"), std::string::npos)
      << loaded.status().message();
}

TEST_F(TokenizerLoading, BadJsonNamesTheFile) {
  write(dir_ / "tokenizer.json", "{\"model\": ");
  const auto result = Tokenizer::from_tokenizer_json(dir_ / "tokenizer.json");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("tokenizer.json: invalid JSON"), std::string::npos)
      << result.status().message();
}

TEST_F(TokenizerLoading, UnsupportedModelTypeIsNamed) {
  write(dir_ / "tokenizer.json", tokenizer_json("BPE", "BertNormalizer"));
  const auto result = Tokenizer::from_tokenizer_json(dir_ / "tokenizer.json");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("model type 'BPE'"), std::string::npos)
      << result.status().message();
}

TEST_F(TokenizerLoading, UnsupportedNormalizerIsNamed) {
  write(dir_ / "tokenizer.json", tokenizer_json("WordPiece", "StripAccents"));
  const auto result = Tokenizer::from_tokenizer_json(dir_ / "tokenizer.json");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("normalizer type 'StripAccents'"), std::string::npos)
      << result.status().message();
}

// A decoder rerankd does not know (here one without a "type", as tests/fuzz/tokenizer_json.cc
// made: corpus/tokenizer_json/regression_decoder_without_type) still loads for scoring; only
// decode refuses, naming it.
TEST_F(TokenizerLoading, DecoderWithoutTypeLoadsAndDecodeRefusesIt) {
  std::string json = tokenizer_json("WordPiece", "BertNormalizer");
  json.replace(json.find("\"model\":{"), 9, R"("decoder":{"?ype":"WordPiece"},"model":{)");
  write(dir_ / "tokenizer.json", json);
  const auto loaded = Tokenizer::from_tokenizer_json(dir_ / "tokenizer.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  const auto encoding = loaded->encode_pair("hello", "worlds", TokenizeOptions{});
  ASSERT_TRUE(encoding.ok()) << encoding.status().to_string();
  const auto decoded = loaded->decode(encoding->input_ids, true);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(decoded.status().message().find("decoder type '<no type>'"), std::string::npos)
      << decoded.status().message();
}

TEST_F(TokenizerLoading, ASpecialTokenIdOutsideTheVocabularyIsRefused) {
  // Found by fuzz_tokenizer_json: the post-processor's ids are emitted as they are, so an id
  // past the vocabulary (7 tokens here: ids 0..6) would reach the model's embedding table.
  std::string json = tokenizer_json("WordPiece", "BertNormalizer");
  const std::string cls = R"("cls":["[CLS]",2])";
  json.replace(json.find(cls), cls.size(), R"("cls":["[CLS]",7])");
  write(dir_ / "tokenizer.json", json);
  const auto loaded = Tokenizer::from_tokenizer_json(dir_ / "tokenizer.json");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(loaded.status().message().find(
                "post_processor's special token id 7 is outside the vocabulary (ids 0..6)"),
            std::string::npos)
      << loaded.status().message();
  // The padding id likewise.
  json = tokenizer_json("WordPiece", "BertNormalizer");
  json.replace(json.find(R"("model":{)"), 9, R"("padding":{"pad_id":70},"model":{)");
  write(dir_ / "tokenizer.json", json);
  const auto padded = Tokenizer::from_tokenizer_json(dir_ / "tokenizer.json");
  ASSERT_FALSE(padded.ok());
  EXPECT_NE(padded.status().message().find("padding.pad_id 70 is outside"), std::string::npos)
      << padded.status().message();
}

TEST_F(TokenizerLoading, SmallTokenizerJsonEncodesPairs) {
  write(dir_ / "tokenizer.json", tokenizer_json("WordPiece", "BertNormalizer"));
  const auto tokenizer = Tokenizer::from_directory(dir_);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().to_string();
  const auto encoding = tokenizer->encode_pair("Hello", "worlds[SEP]", {});
  ASSERT_TRUE(encoding.ok());
  EXPECT_EQ(encoding->input_ids, (std::vector<std::int32_t>{2, 4, 3, 5, 6, 3, 3}));
  EXPECT_EQ(encoding->token_type_ids, (std::vector<std::int32_t>{0, 0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(tokenizer->special_ids().cls, 2);
  EXPECT_EQ(tokenizer->special_ids().sep, 3);
  EXPECT_EQ(tokenizer->special_ids().unk, 1);
  EXPECT_EQ(tokenizer->id_to_token(5), "world");
  EXPECT_EQ(tokenizer->id_to_token(99), "");
}

TEST_F(TokenizerLoading, VocabTxtWithoutConfigUsesBertDefaults) {
  write(dir_ / "vocab.txt", kVocab);
  const auto tokenizer = Tokenizer::from_directory(dir_);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().to_string();
  EXPECT_EQ(tokenizer->vocab_size(), 9);
  std::vector<std::int32_t> ids;
  ASSERT_TRUE(tokenizer->tokenize("H\xC3\xA9llo, WORLDS [MASK] x", ids).ok());
  EXPECT_EQ(ids, (std::vector<std::int32_t>{5, 8, 6, 7, 4, 1}));  // lowercased, accent stripped
}

TEST_F(TokenizerLoading, VocabTxtHonoursTokenizerConfig) {
  write(dir_ / "vocab.txt", kVocab);
  write(dir_ / "tokenizer_config.json", R"({"do_lower_case": false})");
  const auto tokenizer = Tokenizer::from_directory(dir_);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().to_string();
  std::vector<std::int32_t> ids;
  ASSERT_TRUE(tokenizer->tokenize("Hello hello", ids).ok());
  EXPECT_EQ(ids, (std::vector<std::int32_t>{1, 5}));  // case kept: "Hello" is unknown
}

// A looping tokenizer.json, tokenizer_config.json or special_tokens_map.json used to be skipped
// and vocab.txt used with defaults: another tokenization, without a word (issue 19).
TEST_F(TokenizerLoading, AnUnreadableTokenizerFileIsAnErrorNotAFallback) {
  write(dir_ / "vocab.txt", kVocab);
  for (const char* name : {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"}) {
    fs::create_symlink(name, dir_ / name);
    const auto tokenizer = Tokenizer::from_directory(dir_);
    ASSERT_FALSE(tokenizer.ok()) << name;
    EXPECT_NE(
        tokenizer.status().message().find((dir_ / name).string() + ": a loop of symbolic links"),
        std::string::npos)
        << tokenizer.status().message();
    fs::remove(dir_ / name);
  }
  fs::create_directory(dir_ / "tokenizer.json");
  const auto tokenizer = Tokenizer::from_directory(dir_);
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_NE(tokenizer.status().message().find("tokenizer.json: not a regular file"),
            std::string::npos)
      << tokenizer.status().message();
}

TEST_F(TokenizerLoading, ACorruptSpecialTokensMapIsAnErrorNamingIt) {
  write(dir_ / "vocab.txt", kVocab);
  write(dir_ / "special_tokens_map.json", "{\"cls_token\": ");
  const auto tokenizer = Tokenizer::from_directory(dir_);
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_NE(tokenizer.status().message().find("special_tokens_map.json: invalid JSON"),
            std::string::npos)
      << tokenizer.status().message();
}

// transformers applies special_tokens_map.json's names over tokenizer_config.json's.
TEST_F(TokenizerLoading, SpecialTokensMapNamesTheSpecialTokens) {
  write(dir_ / "vocab.txt", kVocab);
  write(dir_ / "tokenizer_config.json", R"({"cls_token": "[CLS]"})");
  write(dir_ / "special_tokens_map.json",
        R"({"cls_token": {"content": "[MASK]", "lstrip": false}, "sep_token": "[SEP]"})");
  const auto tokenizer = Tokenizer::from_directory(dir_);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().to_string();
  EXPECT_EQ(tokenizer->special_ids().cls, 4);
  const auto encoding = tokenizer->encode_pair("hello", "world", {});
  ASSERT_TRUE(encoding.ok());
  EXPECT_EQ(encoding->input_ids, (std::vector<std::int32_t>{4, 5, 3, 6, 3}));
}

TEST_F(TokenizerLoading, InvalidUtf8NamesTheTextAndOffset) {
  write(dir_ / "vocab.txt", kVocab);
  const auto tokenizer = Tokenizer::from_directory(dir_);
  ASSERT_TRUE(tokenizer.ok());
  auto result = tokenizer->encode_pair("hello", "wor\xFFld", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("document"), std::string::npos);
  EXPECT_NE(result.status().message().find("byte offset 3"), std::string::npos);
  result = tokenizer->encode_pair("\xC3", "world", {});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("query"), std::string::npos);
}

TEST_F(TokenizerLoading, TruncationNoneAndTinyMaxLength) {
  write(dir_ / "vocab.txt", kVocab);
  const auto tokenizer = Tokenizer::from_directory(dir_);
  ASSERT_TRUE(tokenizer.ok());
  TokenizeOptions options;
  options.max_length = 5;
  options.truncation = Truncation::kNone;
  auto result = tokenizer->encode_pair("hello world", "hello", options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kOutOfRange);
  options.max_length = 2;
  result = tokenizer->encode_pair("hello", "world", options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kOutOfRange);
  // Below the 3 special tokens, HF's budget wraps around and it truncates nothing.
  options.truncation = Truncation::kLongestFirst;
  result = tokenizer->encode_pair("hello", "world", options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  EXPECT_EQ(result->size(), 5u);
}

}  // namespace
}  // namespace rerankd::text
