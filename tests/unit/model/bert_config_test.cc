#include "model/bert_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model_test_util.h"
#include "support/test_env.h"

namespace rerankd::model {
namespace {

using ::testing::HasSubstr;

// A complete config in the shape transformers saves, plus `extra_fields` (keys not already
// present; tests that change a key edit the text).
std::string config_with(const std::string& extra_fields) {
  std::string text = R"({
    "architectures": ["BertForSequenceClassification"],
    "hidden_act": "gelu", "hidden_size": 384, "intermediate_size": 1536,
    "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert",
    "num_attention_heads": 12, "num_hidden_layers": 6, "pad_token_id": 0,
    "type_vocab_size": 2, "vocab_size": 30522)";
  if (!extra_fields.empty()) text += ", " + extra_fields;
  return text + "}";
}

Result<BertConfig> parse(const std::string& text) { return parse_bert_config(text, "cfg.json"); }

TEST(BertConfig, ParsesAllFields) {
  const auto config = parse(config_with(R"("id2label": {"0": "LABEL_0"})"));
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  EXPECT_EQ(config->architecture, "BertForSequenceClassification");
  EXPECT_EQ(config->vocab_size, 30522);
  EXPECT_EQ(config->hidden_size, 384);
  EXPECT_EQ(config->num_hidden_layers, 6);
  EXPECT_EQ(config->num_attention_heads, 12);
  EXPECT_EQ(config->head_size(), 32);
  EXPECT_EQ(config->intermediate_size, 1536);
  EXPECT_EQ(config->max_position_embeddings, 512);
  EXPECT_EQ(config->type_vocab_size, 2);
  EXPECT_EQ(config->layer_norm_eps, 1e-12f);
  EXPECT_EQ(config->hidden_act, HiddenAct::kGeluErf);
  EXPECT_EQ(config->num_labels, 1);
  EXPECT_EQ(config->pad_token_id, 0);
  EXPECT_FALSE(config->random_weights);
  EXPECT_EQ(config->score_activation, ScoreActivation::kSigmoid);
  EXPECT_EQ(config->score_activation_source, "default for num_labels=1");
}

TEST(BertConfig, NumLabelsFollowsTransformers) {
  // No num_labels and no id2label: transformers' default of 2, hence identity.
  auto config = parse(config_with(""));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->num_labels, 2);
  EXPECT_EQ(config->score_activation, ScoreActivation::kIdentity);
  config = parse(config_with(R"("id2label": {"0": "a", "1": "b", "2": "c"})"));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->num_labels, 3);
  // An explicit num_labels wins over id2label (configuration_utils.py, with a warning there).
  config = parse(config_with(R"("num_labels": 1, "id2label": {"0": "a", "1": "b"})"));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->num_labels, 1);
}

TEST(BertConfig, HiddenActForms) {
  const std::pair<const char*, HiddenAct> cases[] = {{"gelu", HiddenAct::kGeluErf},
                                                     {"gelu_new", HiddenAct::kGeluTanh},
                                                     {"gelu_pytorch_tanh", HiddenAct::kGeluTanh},
                                                     {"gelu_fast", HiddenAct::kGeluTanh},
                                                     {"relu", HiddenAct::kRelu}};
  for (const auto& [name, act] : cases) {
    std::string text = config_with("");
    text.replace(text.find("\"gelu\""), 6, std::string("\"") + name + "\"");
    const auto config = parse(text);
    ASSERT_TRUE(config.ok()) << name;
    EXPECT_EQ(config->hidden_act, act) << name;
  }
  std::string text = config_with("");
  text.replace(text.find("\"gelu\""), 6, "\"swish\"");
  const auto config = parse(text);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("swish"));
}

TEST(BertConfig, ActivationResolutionOrder) {
  const char* kIdentity = "torch.nn.modules.linear.Identity";
  const char* kSigmoid = "torch.nn.modules.activation.Sigmoid";
  // Legacy key alone.
  auto config = parse(
      config_with(std::string(R"("num_labels": 1, "sbert_ce_default_activation_function": ")") +
                  kIdentity + "\""));
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  EXPECT_EQ(config->score_activation, ScoreActivation::kIdentity);
  EXPECT_EQ(config->score_activation_source, "config.json sbert_ce_default_activation_function");
  // sentence_transformers.activation_fn beats the legacy key.
  config = parse(config_with(
      std::string(R"("num_labels": 3, "sentence_transformers": {"activation_fn": ")") + kSigmoid +
      R"("}, "sbert_ce_default_activation_function": ")" + kIdentity + "\""));
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  EXPECT_EQ(config->score_activation, ScoreActivation::kSigmoid);
  EXPECT_EQ(config->score_activation_source, "config.json sentence_transformers.activation_fn");
  // An unknown class is an error naming it.
  config = parse(config_with(
      R"("sentence_transformers": {"activation_fn": "torch.nn.modules.activation.Tanh"})"));
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("torch.nn.modules.activation.Tanh"));
  EXPECT_THAT(config.status().message(), HasSubstr("sentence_transformers.activation_fn"));
}

// XLM-R by model_type alone takes transformers' XLMRobertaConfig defaults and RoBERTa's
// positions: the first pad_token_id + 1 rows are never used.
TEST(BertConfig, XlmRobertaFamilyDefaults) {
  const auto config = parse_bert_config(R"({"model_type": "xlm-roberta",
      "max_position_embeddings": 8194, "vocab_size": 250002})",
                                        "config.json");
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  EXPECT_EQ(config->architecture, "XLMRobertaForSequenceClassification");
  EXPECT_EQ(config->family, &xlm_roberta_family());
  EXPECT_EQ(config->pad_token_id, 1);
  EXPECT_EQ(config->type_vocab_size, 1);
  EXPECT_FLOAT_EQ(config->layer_norm_eps, 1e-5f);
  EXPECT_EQ(config->position_offset(), 2);
  EXPECT_EQ(config->max_sequence_length(), 8192);
  const auto roberta = parse_bert_config(
      R"({"architectures": ["RobertaForSequenceClassification"], "pad_token_id": 1})", "c");
  ASSERT_TRUE(roberta.ok()) << roberta.status().to_string();
  EXPECT_EQ(roberta->family, &xlm_roberta_family());
}

TEST(BertConfig, Errors) {
  struct Case {
    std::string text;
    StatusCode code;
    const char* message;
  };
  std::string deberta = config_with("");
  deberta.replace(deberta.find("BertForSequenceClassification"), 29,
                  "DebertaV2ForSequenceClassification");
  std::string gpt2 = config_with("");
  gpt2.replace(gpt2.find("BertForSequenceClassification"), 29, "GPT2LMHeadModel");
  std::string heads = config_with("");
  heads.replace(heads.find("\"num_attention_heads\": 12"), 25, "\"num_attention_heads\": 5");
  std::string zero = config_with("");
  zero.replace(zero.find("\"num_hidden_layers\": 6"), 22, "\"num_hidden_layers\": 0");
  // 1e-122 passed the (0, 1] check as a double and became 0.0f (tests/fuzz/config_json.cc,
  // corpus/config_json/regression_eps_underflow); 1e-40 is a float denormal.
  std::string tiny_eps = config_with("");
  tiny_eps.replace(tiny_eps.find("1e-12"), 5, "1e-122");
  std::string denormal_eps = config_with("");
  denormal_eps.replace(denormal_eps.find("1e-12"), 5, "1e-40");
  std::string typed = config_with("");
  typed.replace(typed.find("\"hidden_size\": 384"), 18, "\"hidden_size\": \"384\"");
  const Case cases[] = {
      {deberta, StatusCode::kFailedPrecondition, "DebertaV2ForSequenceClassification"},
      {gpt2, StatusCode::kFailedPrecondition, "GPT2LMHeadModel"},
      {heads, StatusCode::kInvalidArgument, "not divisible by num_attention_heads 5"},
      {zero, StatusCode::kInvalidArgument, "num_hidden_layers"},
      {typed, StatusCode::kInvalidArgument, "hidden_size"},
      {tiny_eps, StatusCode::kInvalidArgument, "layer_norm_eps 1e-122 is below the smallest"},
      {denormal_eps, StatusCode::kInvalidArgument, "layer_norm_eps 1e-40 is below the smallest"},
      {"{\"hidden_size\": ", StatusCode::kInvalidArgument, "invalid JSON"},
      {"[1]", StatusCode::kInvalidArgument, "not a JSON object"},
      {R"({"model_type": "deberta-v2"})", StatusCode::kFailedPrecondition, "deberta-v2"},
      // Found by fuzz_config_json: XLM-R's default pad id 1 with a one-token vocabulary.
      {R"({"model_type": "xlm-roberta", "vocab_size": 1})", StatusCode::kInvalidArgument,
       "pad_token_id 1 (the family's default) is outside the vocabulary (1 tokens)"},
      {config_with(R"("position_embedding_type": "relative_key")"), StatusCode::kFailedPrecondition,
       "relative_key"},
      {config_with(R"("rerankd_random_weights": 1)"), StatusCode::kInvalidArgument,
       "rerankd_random_weights"},
  };
  for (const auto& c : cases) {
    const auto config = parse(c.text);
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.status().code(), c.code) << config.status().to_string();
    EXPECT_THAT(config.status().message(), HasSubstr(c.message));
    EXPECT_THAT(config.status().message(), HasSubstr("cfg.json"));
  }
}

TEST(BertConfig, ParsesRandomWeightsFlagAndBertModel) {
  std::string text = config_with(R"("rerankd_random_weights": true)");
  text.replace(text.find("BertForSequenceClassification"), 29, "BertModel");
  const auto config = parse(text);
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  EXPECT_TRUE(config->random_weights);
  EXPECT_EQ(config->architecture, "BertModel");
}

class LoadBertConfig : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = rerankd::testing::make_temp_dir("config"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(LoadBertConfig, SentenceTransformersFileDecidesActivation) {
  // Installed sentence-transformers 6.2.0 (cross_encoder/model.py): _parse_model_config takes
  // config_sentence_transformers.json's activation_fn before get_default_activation_fn looks at
  // config.json, so the file wins even over config.json's own key.
  testing::write_file(
      dir_ / "config.json",
      config_with(
          R"("num_labels": 1, "sentence_transformers": {"activation_fn": "torch.nn.modules.activation.Sigmoid"})"));
  testing::write_file(
      dir_ / "config_sentence_transformers.json",
      R"({"activation_fn": "torch.nn.modules.linear.Identity", "model_type": "CrossEncoder"})");
  auto config = load_bert_config(dir_);
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  EXPECT_EQ(config->score_activation, ScoreActivation::kIdentity);
  EXPECT_EQ(config->score_activation_source, "config_sentence_transformers.json activation_fn");

  // A null activation_fn there leaves config.json's choice.
  testing::write_file(dir_ / "config_sentence_transformers.json", R"({"activation_fn": null})");
  config = load_bert_config(dir_);
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  EXPECT_EQ(config->score_activation, ScoreActivation::kSigmoid);
  EXPECT_EQ(config->score_activation_source, "config.json sentence_transformers.activation_fn");

  testing::write_file(dir_ / "config_sentence_transformers.json", R"({"activation_fn": "my.Act"})");
  config = load_bert_config(dir_);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("my.Act"));
  EXPECT_THAT(config.status().message(), HasSubstr("config_sentence_transformers.json"));
}

TEST_F(LoadBertConfig, MissingFileIsNotFound) {
  const auto config = load_bert_config(dir_);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(config.status().message(), HasSubstr("config.json"));
}

TEST(BertConfigRealData, MsMarcoMiniLmL6) {
  const auto config = load_bert_config(rerankd::testing::data_dir() / "ms-marco-MiniLM-L-6-v2");
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  EXPECT_EQ(config->architecture, "BertForSequenceClassification");
  EXPECT_EQ(config->hidden_size, 384);
  EXPECT_EQ(config->num_hidden_layers, 6);
  EXPECT_EQ(config->num_attention_heads, 12);
  EXPECT_EQ(config->intermediate_size, 1536);
  EXPECT_EQ(config->vocab_size, 30522);
  EXPECT_EQ(config->num_labels, 1);
  EXPECT_EQ(config->hidden_act, HiddenAct::kGeluErf);
  EXPECT_EQ(config->score_activation, ScoreActivation::kIdentity);
  EXPECT_EQ(config->score_activation_source, "config_sentence_transformers.json activation_fn");
}

}  // namespace
}  // namespace rerankd::model
