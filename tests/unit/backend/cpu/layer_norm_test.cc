#include "backend/cpu/layer_norm.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "backend/cpu/embeddings.h"
#include "backend/cpu/quantize.h"
#include "backend/reference/embeddings.h"
#include "backend/reference/layer_norm.h"
#include "cpu/random_data.h"
#include "reference/tiny_bert.h"

namespace rerankd::backend::cpu {
namespace {

using testing::max_abs_diff;
using testing::random_values;

TEST(AddLayerNorm, QuantisedOutputEqualsAPassOfItsOwn) {
  const std::int64_t rows = 23, width = 37;
  const auto size = static_cast<std::size_t>(rows * width);
  auto x = random_values(size, 3.0f, 5);
  const auto residual = random_values(size, 1.0f, 6);
  const auto gamma = random_values(static_cast<std::size_t>(width), 1.0f, 7);
  const auto beta = random_values(static_cast<std::size_t>(width), 0.5f, 8);
  const LayerNormParams params{gamma.data(), beta.data(), width, 1e-12f};
  auto plain = x;
  add_layer_norm(plain.data(), residual.data(), rows, params);
  std::vector<std::uint8_t> expected(size);
  std::vector<float> expected_scales(rows), expected_zeros(rows);
  quantize_rows(plain.data(), rows, width, expected.data(), expected_scales.data(),
                expected_zeros.data());

  std::vector<std::uint8_t> levels(size, 7);
  std::vector<float> scales(rows), zeros(rows);
  const QuantizedRows quantized{levels.data(), scales.data(), zeros.data()};
  add_layer_norm(x.data(), residual.data(), rows, params, &quantized);
  EXPECT_EQ(x, plain);
  EXPECT_EQ(levels, expected);
  EXPECT_EQ(scales, expected_scales);
  EXPECT_EQ(zeros, expected_zeros);
}

TEST(AddLayerNorm, MatchesReferenceAddThenLayerNorm) {
  for (const std::int64_t width : {8, 37, 384}) {
    const std::int64_t rows = 19;
    const auto size = static_cast<std::size_t>(rows * width);
    // An offset mean and a wide spread, where a one-pass variance would lose digits.
    auto x = random_values(size, 3.0f, 1);
    for (float& value : x) value += 20.0f;
    const auto residual = random_values(size, 1.0f, 2);
    const auto gamma = random_values(static_cast<std::size_t>(width), 1.0f, 3);
    const auto beta = random_values(static_cast<std::size_t>(width), 0.5f, 4);
    const model::LayerNormWeights weights{{{width}, gamma}, {{width}, beta}};

    std::vector<float> expected = x;
    reference::add_in_place(expected, residual);
    reference::layer_norm(expected, rows, weights, 1e-12f);

    std::vector<float> got = x;
    add_layer_norm(got.data(), residual.data(), rows,
                   {.gamma = gamma.data(), .beta = beta.data(), .width = width, .eps = 1e-12f});
    EXPECT_LE(max_abs_diff(got, expected), 2e-5) << "width " << width;

    // Without a residual it is a plain LayerNorm.
    std::vector<float> plain_expected = x;
    reference::layer_norm(plain_expected, rows, weights, 1e-5f);
    std::vector<float> plain = x;
    add_layer_norm(plain.data(), nullptr, rows,
                   {.gamma = gamma.data(), .beta = beta.data(), .width = width, .eps = 1e-5f});
    EXPECT_LE(max_abs_diff(plain, plain_expected), 2e-5) << "width " << width;
  }
}

TEST(EmbedPacked, MatchesReferencePerPair) {
  backend::testing::TinyBert bert;
  backend::testing::build_tiny_bert(backend::testing::tiny_config(), bert);
  const auto& config = bert.config;
  const auto& w = bert.weights;
  // Positions restart at 0 for every pair, whatever its offset in the packed batch.
  const std::vector<std::vector<std::int32_t>> ids = {{1, 5, 39, 2}, {3}, {0, 7, 7, 7, 7, 12}};
  std::vector<std::int32_t> flat_ids, flat_types, cu_seqlens{0};
  for (const auto& pair : ids) {
    for (std::size_t i = 0; i < pair.size(); ++i) {
      flat_ids.push_back(pair[i]);
      flat_types.push_back(i >= 2 ? 1 : 0);
    }
    cu_seqlens.push_back(static_cast<std::int32_t>(flat_ids.size()));
  }
  const std::int64_t hidden = config.hidden_size;
  std::vector<float> got(flat_ids.size() * static_cast<std::size_t>(hidden));
  const EmbeddingTables tables{.word = w.word_embeddings.data.data(),
                               .position = w.position_embeddings.data.data(),
                               .token_type = w.token_type_embeddings.data.data(),
                               .norm = {.gamma = w.embedding_norm.gamma.data.data(),
                                        .beta = w.embedding_norm.beta.data.data(),
                                        .width = hidden,
                                        .eps = config.layer_norm_eps}};
  embed_packed(tables, flat_ids, flat_types, cu_seqlens, got.data());

  for (std::size_t pair = 0; pair < ids.size(); ++pair) {
    const auto begin = static_cast<std::size_t>(cu_seqlens[pair]);
    const std::size_t length = ids[pair].size();
    std::vector<float> expected(length * static_cast<std::size_t>(hidden));
    reference::embed_pair(config, w, std::span(flat_ids).subspan(begin, length),
                          std::span(flat_types).subspan(begin, length), expected);
    const std::vector<float> mine(
        got.begin() + static_cast<std::ptrdiff_t>(begin * hidden),
        got.begin() + static_cast<std::ptrdiff_t>((begin + length) * hidden));
    EXPECT_LE(max_abs_diff(mine, expected), 1e-5) << "pair " << pair;
  }
}

}  // namespace
}  // namespace rerankd::backend::cpu
