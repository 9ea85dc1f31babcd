#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "config/config.h"
#include "support/test_env.h"

namespace rerankd::config {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Config parse_ok(std::string_view text) {
  Result<Config> config = parse_config_yaml(text, "test.yaml");
  EXPECT_TRUE(config.ok()) << config.status().to_string();
  return config.ok() ? *config : Config{};
}

std::string parse_error(std::string_view text) {
  Result<Config> config = parse_config_yaml(text, "test.yaml");
  EXPECT_FALSE(config.ok()) << "parsed:\n" << text;
  if (config.ok()) return "";
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  return config.status().message();
}

TEST(ParseConfigYaml, EmptyTextIsTheDefaultConfig) {
  EXPECT_EQ(parse_ok(""), Config{});
  EXPECT_EQ(parse_ok("# only a comment\n"), Config{});
  EXPECT_EQ(parse_ok("---\n"), Config{});
}

TEST(ParseConfigYaml, DefaultsMatchTheHeader) {
  const Config config;
  EXPECT_EQ(config.model.path, "cross-encoder/ms-marco-MiniLM-L-6-v2");
  EXPECT_EQ(config.model.backend, "cpu");
  EXPECT_EQ(config.model.device, std::vector<int>{0});
  EXPECT_EQ(config.model.dtype, "fp32");
  EXPECT_EQ(config.model.max_length, 0);  // the model's limit
  EXPECT_TRUE(config.batching.enabled);
  EXPECT_EQ(config.batching.max_batch_size, 64);
  EXPECT_EQ(config.batching.timeout_ms, 50);
  EXPECT_EQ(config.server.port, 8080);
  EXPECT_EQ(config.server.max_concurrency, 4);
  EXPECT_EQ(config.server.max_body_bytes, 8 << 20);
  EXPECT_TRUE(config.server.api_key.empty());
  EXPECT_TRUE(config.validate().ok()) << config.validate().to_string();
}

TEST(ParseConfigYaml, FullFileSetsEveryField) {
  const Config config = parse_ok(R"(
model:
  path: /models/minilm
  backend: cpu
  device: [1, 2]
  dtype: bf16
  max_length: 256
  threads: 8
batching:
  enabled: false
  max_batch_size: 96
  max_batch_tokens: 8192
  timeout_ms: 0
  sort_by_length: False
server:
  host: 0.0.0.0
  port: 9000
  max_concurrency: 2
  max_queue_pairs: 5000
  max_client_batch_size: 500
  auto_truncate: FALSE
  request_timeout_ms: 1000
  io_threads: 3
  tokenizer_threads: 5
  max_body_bytes: 5000000000
  header_timeout_ms: 11
  body_timeout_ms: 12
  idle_timeout_ms: 13
  api_key: "s3cret"
)");
  EXPECT_EQ(config.model.path, "/models/minilm");
  EXPECT_EQ(config.model.backend, "cpu");
  EXPECT_EQ(config.model.device, (std::vector<int>{1, 2}));
  EXPECT_EQ(config.model.dtype, "bf16");
  EXPECT_EQ(config.model.max_length, 256);
  EXPECT_EQ(config.model.threads, 8);
  EXPECT_FALSE(config.batching.enabled);
  EXPECT_EQ(config.batching.max_batch_size, 96);
  EXPECT_EQ(config.batching.max_batch_tokens, 8192);
  EXPECT_EQ(config.batching.timeout_ms, 0);
  EXPECT_FALSE(config.batching.sort_by_length);
  EXPECT_EQ(config.server.host, "0.0.0.0");
  EXPECT_EQ(config.server.port, 9000);
  EXPECT_EQ(config.server.max_concurrency, 2);
  EXPECT_EQ(config.server.max_queue_pairs, 5000);
  EXPECT_EQ(config.server.max_client_batch_size, 500);
  EXPECT_FALSE(config.server.auto_truncate);
  EXPECT_EQ(config.server.request_timeout_ms, 1000);
  EXPECT_EQ(config.server.io_threads, 3);
  EXPECT_EQ(config.server.tokenizer_threads, 5);
  EXPECT_EQ(config.server.max_body_bytes, 5000000000);  // past int32: the field is 64-bit
  EXPECT_EQ(config.server.header_timeout_ms, 11);
  EXPECT_EQ(config.server.body_timeout_ms, 12);
  EXPECT_EQ(config.server.idle_timeout_ms, 13);
  EXPECT_EQ(config.server.api_key, "s3cret");
  EXPECT_TRUE(config.validate().ok()) << config.validate().to_string();
}

TEST(ParseConfigYaml, AbsentKeysKeepTheirDefaults) {
  const Config config = parse_ok("batching:\n  max_batch_size: 32\nserver: {port: 0}\n");
  Config expected;
  expected.batching.max_batch_size = 32;
  expected.server.port = 0;
  EXPECT_EQ(config, expected);
}

TEST(ParseConfigYaml, EmptySectionKeepsDefaults) {
  EXPECT_EQ(parse_ok("model:\nbatching:\n"), Config{});
}

TEST(ParseConfigYaml, DeviceTakesAnIntegerOrAList) {
  EXPECT_EQ(parse_ok("model: {device: 3}").model.device, std::vector<int>{3});
  EXPECT_EQ(parse_ok("model: {device: [0, 1, 2]}").model.device, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(parse_ok("model:\n  device:\n    - 4\n    - 5\n").model.device,
            (std::vector<int>{4, 5}));
  EXPECT_TRUE(parse_ok("model: {device: []}").model.device.empty());  // validate() rejects it
}

TEST(ParseConfigYaml, NullStringIsEmpty) {
  EXPECT_EQ(parse_ok("server:\n  api_key:\n").server.api_key, "");
}

TEST(ParseConfigYaml, UnknownKeyNamesTheDottedKeyAndLine) {
  const std::string message = parse_error("batching:\n  enabled: true\n  max_batch_sise: 8\n");
  EXPECT_THAT(message, StartsWith("test.yaml:3: batching.max_batch_sise: unknown key"));
  EXPECT_THAT(message, HasSubstr("did you mean batching.max_batch_size?"));
}

TEST(ParseConfigYaml, UnknownKeyFarFromAnyHasNoSuggestion) {
  const std::string message = parse_error("server:\n  colour: blue\n");
  EXPECT_EQ(message, "test.yaml:2: server.colour: unknown key");
}

TEST(ParseConfigYaml, UnknownSectionIsAnError) {
  EXPECT_THAT(parse_error("model: {}\nlogging:\n  level: info\n"),
              StartsWith("test.yaml:2: logging: unknown key"));
}

TEST(ParseConfigYaml, KeyInTheWrongSectionIsUnknown) {
  EXPECT_THAT(parse_error("server:\n  timeout_ms: 5\n"),
              HasSubstr("server.timeout_ms: unknown key"));
}

TEST(ParseConfigYaml, WrongTypesNameTheKeyAndWhatWasExpected) {
  EXPECT_EQ(parse_error("server:\n  port: abc\n"),
            "test.yaml:2: server.port: expected an integer, got 'abc'");
  EXPECT_EQ(parse_error("server: {port: 80.5}"),
            "test.yaml:1: server.port: expected an integer, got '80.5'");
  EXPECT_EQ(parse_error("batching: {enabled: yes}"),
            "test.yaml:1: batching.enabled: expected true or false, got 'yes'");
  EXPECT_EQ(parse_error("batching: {enabled: [true]}"),
            "test.yaml:1: batching.enabled: expected true or false, got a list");
  EXPECT_EQ(parse_error("model: {path: {a: b}}"),
            "test.yaml:1: model.path: expected a string, got a mapping");
  EXPECT_EQ(parse_error("server:\n  port:\n"),
            "test.yaml:2: server.port: expected an integer, got nothing");
  EXPECT_THAT(parse_error("model: {device: [0, x]}"),
              HasSubstr("model.device: expected a list of integers, got 'x' in the list"));
  EXPECT_THAT(parse_error("model: {device: gpu}"),
              HasSubstr("model.device: expected an integer or a list of integers"));
}

TEST(ParseConfigYaml, IntegerOutOfRangeIsAnError) {
  EXPECT_THAT(parse_error("server: {port: 99999999999}"),
              HasSubstr("server.port: expected an integer, got '99999999999' (out of range"));
}

TEST(ParseConfigYaml, SectionMustBeAMapping) {
  EXPECT_EQ(parse_error("batching: 5\n"), "test.yaml:1: batching: expected a mapping of keys");
  EXPECT_THAT(parse_error("- a\n- b\n"), HasSubstr("expected a mapping with the sections"));
}

TEST(ParseConfigYaml, RepeatedKeyIsAnError) {
  EXPECT_EQ(parse_error("server:\n  port: 1\n  port: 2\n"), "test.yaml:3: server.port: repeated");
}

TEST(ParseConfigYaml, SyntaxErrorNamesFileAndLine) {
  const std::string message = parse_error("server:\n  port: 1\n  host: [unclosed\n");
  EXPECT_THAT(message, StartsWith("test.yaml:"));
  EXPECT_THAT(message, HasSubstr("YAML syntax error"));
  const std::string bad_indent = parse_error("server:\n  port: 1\n host: x\n");
  EXPECT_THAT(bad_indent, StartsWith("test.yaml:3:"));
  EXPECT_THAT(bad_indent, HasSubstr("YAML syntax error"));
}

TEST(ParseConfigYaml, SeveralDocumentsAreAnError) {
  EXPECT_THAT(parse_error("server: {port: 1}\n---\nserver: {port: 2}\n"),
              HasSubstr("2 YAML documents"));
}

// yaml-cpp 0.7's LoadAll never returned on these (a token that starts no node, outside a flow
// collection); found by tests/fuzz/yaml_config.cc (corpus/yaml_config/regression_stray_comma).
TEST(ParseConfigYaml, StrayFlowTokenIsASyntaxErrorNotAHang) {
  for (const std::string_view text : {",~", ",", "]", "}", "server: {port: 1}\n,\n"}) {
    const std::string message = parse_error(text);
    EXPECT_THAT(message, StartsWith("test.yaml:")) << text;
    EXPECT_THAT(message, HasSubstr("YAML syntax error")) << text;
  }
  EXPECT_EQ(parse_error(",~"), "test.yaml:1:1: YAML syntax error: ',' starts no value");
}

TEST(ParseConfigYaml, ThreeOrMoreDocumentsAreAnError) {
  EXPECT_THAT(parse_error("---\n---\n---\n---\n"), HasSubstr("3 or more YAML documents"));
}

TEST(LoadConfigFile, ReadsAFileAndNamesItInErrors) {
  const std::filesystem::path dir = rerankd::testing::make_temp_dir("config");
  const std::filesystem::path good = dir / "good.yaml";
  std::ofstream(good) << "server:\n  port: 1234\n";
  Result<Config> config = load_config_file(good);
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  EXPECT_EQ(config->server.port, 1234);

  const std::filesystem::path bad = dir / "bad.yaml";
  std::ofstream(bad) << "server:\n  prot: 1234\n";
  Result<Config> broken = load_config_file(bad);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().message(), bad.string() +
                                           ":2: server.prot: unknown key; did you mean "
                                           "server.port?");
  std::filesystem::remove_all(dir);
}

TEST(LoadConfigFile, MissingFileIsNotFound) {
  Result<Config> config = load_config_file("/nonexistent/rerankd.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(config.status().message(), HasSubstr("/nonexistent/rerankd.yaml"));
}

}  // namespace
}  // namespace rerankd::config
