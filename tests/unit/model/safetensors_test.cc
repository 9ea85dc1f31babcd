#include "model/safetensors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "model/weight_storage.h"
#include "model_test_util.h"
#include "support/test_env.h"

namespace rerankd::model {
namespace {

using ::testing::HasSubstr;
using testing::safetensors_bytes;

std::span<const std::byte> as_bytes(const std::string& text) {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

std::string f32_data(std::initializer_list<float> values) {
  std::string out(values.size() * 4, '\0');
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

TEST(Safetensors, ParsesEntriesAndMetadata) {
  const std::string file = safetensors_bytes(
      R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
      R"("b":{"dtype":"F16","shape":[3],"data_offsets":[16,22]},)"
      R"("c":{"dtype":"BF16","shape":[],"data_offsets":[22,24]}})",
      std::string(24, '\0'));
  const auto header = parse_safetensors(as_bytes(file), "x.safetensors");
  ASSERT_TRUE(header.ok()) << header.status().to_string();
  EXPECT_EQ(header->metadata.at("format"), "pt");
  ASSERT_EQ(header->tensors.size(), 3u);
  const auto& a = header->tensors.at("a");
  EXPECT_EQ(a.dtype, "F32");
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(a.begin, 0u);
  EXPECT_EQ(a.end, 16u);
  EXPECT_EQ(header->tensors.at("b").dtype, "F16");
  EXPECT_TRUE(header->tensors.at("c").shape.empty());  // a scalar
  EXPECT_EQ(header->data_start, 8 + file.size() - 8 - 24);
}

struct CorruptCase {
  const char* label;
  std::string bytes;
  const char* message;
};

void PrintTo(const CorruptCase& c, std::ostream* out) { *out << c.label; }

class SafetensorsCorrupt : public ::testing::TestWithParam<CorruptCase> {};

TEST_P(SafetensorsCorrupt, IsDataLossNamingFileAndProblem) {
  const auto header = parse_safetensors(as_bytes(GetParam().bytes), "bad.safetensors");
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(header.status().message(), HasSubstr("bad.safetensors"));
  EXPECT_THAT(header.status().message(), HasSubstr(GetParam().message));
}

std::string one_tensor(const char* entry, std::size_t data_bytes) {
  return safetensors_bytes(std::string(R"({"t":)") + entry + "}", std::string(data_bytes, '\0'));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SafetensorsCorrupt,
    ::testing::Values(
        CorruptCase{"shorter_than_length", std::string(5, '\0'), "too short"},
        CorruptCase{"header_length_too_big", safetensors_bytes("{}", "").replace(0, 1, 1, '\x7F'),
                    "beyond the file size"},
        CorruptCase{"truncated_header", safetensors_bytes("{}", "").substr(0, 9),
                    "beyond the file size"},
        CorruptCase{"bad_json", safetensors_bytes(R"({"t": {"dtype": )", ""), "not valid JSON"},
        CorruptCase{"not_an_object", safetensors_bytes("[1,2]", ""), "not a JSON object"},
        CorruptCase{"entry_not_object", safetensors_bytes(R"({"t":3})", ""), "not a JSON object"},
        CorruptCase{"missing_dtype", one_tensor(R"({"shape":[1],"data_offsets":[0,4]})", 4),
                    "dtype"},
        CorruptCase{"negative_dim",
                    one_tensor(R"({"dtype":"F32","shape":[-1],"data_offsets":[0,4]})", 4),
                    "not a non-negative integer"},
        CorruptCase{"offsets_out_of_range",
                    one_tensor(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16]})", 8),
                    "run past the end"},
        CorruptCase{"truncated_data",
                    one_tensor(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16]})", 15),
                    "truncated"},
        CorruptCase{"offsets_reversed",
                    one_tensor(R"({"dtype":"F32","shape":[0],"data_offsets":[8,4]})", 8),
                    "end before they begin"},
        CorruptCase{"wrong_byte_size",
                    one_tensor(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})", 8),
                    "needs 12"},
        CorruptCase{"wrong_byte_size_f16",
                    one_tensor(R"({"dtype":"F16","shape":[3],"data_offsets":[0,8]})", 8),
                    "needs 6"},
        CorruptCase{"overlap",
                    safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                      R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                      std::string(12, '\0')),
                    "overlapping"},
        CorruptCase{"bad_metadata", safetensors_bytes(R"({"__metadata__":{"format":1}})", ""),
                    "__metadata__"}),
    [](const auto& test_info) { return std::string(test_info.param.label); });

// Writes a one-file checkpoint whose single tensor is the word embeddings of a config.
class WeightStorageTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = rerankd::testing::make_temp_dir("safetensors"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<Tensor> load(const std::string& header, const std::string& data, const TensorSpec& spec) {
    testing::write_file(dir_ / "model.safetensors", safetensors_bytes(header, data));
    auto storage = WeightStorage::open(dir_);
    if (!storage.ok()) return storage.status();
    storage_ = std::move(*storage);
    return storage_->tensor(spec);
  }

  std::filesystem::path dir_;
  std::unique_ptr<WeightStorage> storage_;
};

const TensorSpec kSpec{"embeddings.word_embeddings.weight", {2, 2}, TensorRole::kEmbedding, true};

TEST_F(WeightStorageTest, ReadsF32InPlaceWithPrefix) {
  const auto tensor = load(
      R"({"bert.embeddings.word_embeddings.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})"
      "      ",  // pads the data to an 8-byte boundary
      f32_data({1.0f, -2.5f, 3.0f, 0.125f}), kSpec);
  ASSERT_TRUE(tensor.ok()) << tensor.status().to_string();
  EXPECT_EQ(tensor->shape, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(std::vector<float>(tensor->data.begin(), tensor->data.end()),
            (std::vector<float>{1.0f, -2.5f, 3.0f, 0.125f}));
  EXPECT_THAT(storage_->description(), HasSubstr("F32, 1 file, 1 tensors"));
}

TEST_F(WeightStorageTest, CopiesMisalignedF32WithoutPrefix) {
  // A 1-byte header pad puts the data at an odd file offset.
  const std::string header =
      R"({"embeddings.word_embeddings.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";
  ASSERT_NE((8 + header.size()) % 4, 0u);
  const auto tensor = load(header, f32_data({1.0f, 2.0f, 3.0f, 4.0f}), kSpec);
  ASSERT_TRUE(tensor.ok()) << tensor.status().to_string();
  EXPECT_EQ(tensor->data[3], 4.0f);
}

TEST_F(WeightStorageTest, ConvertsF16AndBf16) {
  // 1, -2, the smallest subnormal, the largest finite value (an infinity is refused: see
  // ANonFiniteWeightIsAnErrorNamingTheTensor).
  const std::string f16 = {'\x00', '\x3C', '\x00', '\xC0', '\x01', '\x00', '\xFF', '\x7B'};
  auto tensor = load(
      R"({"embeddings.word_embeddings.weight":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}})",
      f16, kSpec);
  ASSERT_TRUE(tensor.ok()) << tensor.status().to_string();
  EXPECT_EQ(tensor->data[0], 1.0f);
  EXPECT_EQ(tensor->data[1], -2.0f);
  EXPECT_EQ(tensor->data[2], std::ldexp(1.0f, -24));
  EXPECT_EQ(tensor->data[3], 65504.0f);

  const std::string bf16 = {'\x80', '\x3F', '\x40', '\xC0', '\x00', '\x00', '\x00', '\x80'};
  tensor = load(
      R"({"embeddings.word_embeddings.weight":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]}})",
      bf16, kSpec);
  ASSERT_TRUE(tensor.ok()) << tensor.status().to_string();
  EXPECT_EQ(tensor->data[0], 1.0f);
  EXPECT_EQ(tensor->data[1], -3.0f);
  EXPECT_EQ(tensor->data[2], 0.0f);
  EXPECT_TRUE(std::signbit(tensor->data[3]));
  EXPECT_THAT(storage_->description(), HasSubstr("BF16"));
}

TEST_F(WeightStorageTest, UnsupportedDtypeNamesTensorAndDtype) {
  const auto tensor = load(
      R"({"embeddings.word_embeddings.weight":{"dtype":"I64","shape":[2,2],"data_offsets":[0,32]}})",
      std::string(32, '\0'), kSpec);
  ASSERT_FALSE(tensor.ok());
  EXPECT_EQ(tensor.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(tensor.status().message(), HasSubstr("embeddings.word_embeddings.weight"));
  EXPECT_THAT(tensor.status().message(), HasSubstr("I64"));
}

TEST_F(WeightStorageTest, UnknownDtypeOfAnUnusedTensorIsFine) {
  const auto tensor = load(
      R"({"embeddings.word_embeddings.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
      R"("extra":{"dtype":"F4_WEIRD","shape":[3],"data_offsets":[16,17]}})",
      std::string(17, '\0'), kSpec);
  EXPECT_TRUE(tensor.ok()) << tensor.status().to_string();
}

TEST_F(WeightStorageTest, ShapeMismatchNamesTensorAndBothShapes) {
  const auto tensor = load(
      R"({"embeddings.word_embeddings.weight":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})",
      std::string(16, '\0'), kSpec);
  ASSERT_FALSE(tensor.ok());
  EXPECT_THAT(tensor.status().message(), HasSubstr("embeddings.word_embeddings.weight"));
  EXPECT_THAT(tensor.status().message(), HasSubstr("[4]"));
  EXPECT_THAT(tensor.status().message(), HasSubstr("[2, 2]"));
}

TEST_F(WeightStorageTest, MissingTensorIsNotFound) {
  const auto tensor = load(R"({"other":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                           std::string(4, '\0'), kSpec);
  ASSERT_FALSE(tensor.ok());
  EXPECT_EQ(tensor.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(tensor.status().message(), HasSubstr("bert.embeddings.word_embeddings.weight"));
  EXPECT_THAT(tensor.status().message(), HasSubstr("model.safetensors"));
}

TEST_F(WeightStorageTest, TruncatedFileIsDataLossNamingTheFile) {
  std::string bytes = safetensors_bytes(
      R"({"embeddings.word_embeddings.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})",
      std::string(16, '\0'));
  bytes.resize(bytes.size() - 3);
  testing::write_file(dir_ / "model.safetensors", bytes);
  const auto storage = WeightStorage::open(dir_);
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(storage.status().message(), HasSubstr((dir_ / "model.safetensors").string()));
}

TEST_F(WeightStorageTest, NoCheckpointIsNotFound) {
  const auto storage = WeightStorage::open(dir_);
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(storage.status().message(), HasSubstr("model.safetensors.index.json"));
}

TEST_F(WeightStorageTest, IndexNamingAMissingShardFails) {
  testing::write_file(dir_ / "model.safetensors.index.json",
                      R"({"metadata":{},"weight_map":{"a":"model-00001-of-00002.safetensors"}})");
  const auto storage = WeightStorage::open(dir_);
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(storage.status().message(), HasSubstr("model-00001-of-00002.safetensors"));
}

TEST_F(WeightStorageTest, IndexMayNotEscapeTheDirectory) {
  testing::write_file(dir_ / "model.safetensors.index.json",
                      R"({"weight_map":{"a":"../elsewhere.safetensors"}})");
  const auto storage = WeightStorage::open(dir_);
  ASSERT_FALSE(storage.ok());
  EXPECT_THAT(storage.status().message(), HasSubstr("not a file name"));
}

}  // namespace
}  // namespace rerankd::model
