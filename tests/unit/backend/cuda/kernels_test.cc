// The cuda backend's own kernels against plain CPU computations written here: fp32/double math
// on the same 16-bit-rounded inputs the GPU sees, for fp16 and bf16. Runs only where a CUDA
// device exists (label `cuda`); elsewhere every test skips.
#include "backend/cuda/kernels.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace rerankd::backend::cuda {
namespace {

bool gpu_available() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

// Host-side rounding with CUDA's own host conversions (round to nearest even), so the CPU
// computation starts from exactly the values the device holds.
std::uint16_t to_bits(DeviceDType dtype, float value) {
  if (dtype == DeviceDType::kFp16) return static_cast<__half_raw>(__float2half_rn(value)).x;
  return static_cast<__nv_bfloat16_raw>(__float2bfloat16_rn(value)).x;
}

float from_bits(DeviceDType dtype, std::uint16_t bits) {
  if (dtype == DeviceDType::kFp16) {
    __half_raw raw;
    raw.x = bits;
    return __half2float(__half(raw));
  }
  __nv_bfloat16_raw raw;
  raw.x = bits;
  return __bfloat162float(__nv_bfloat16(raw));
}

// A 16-bit tensor: the bits for the device and their exact fp32 values for the CPU.
struct Tensor16 {
  std::vector<std::uint16_t> bits;
  std::vector<float> values;
};

Tensor16 random_tensor(DeviceDType dtype, std::size_t n, float low, float high, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(low, high);
  Tensor16 t;
  t.bits.resize(n);
  t.values.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    t.bits[i] = to_bits(dtype, dist(rng));
    t.values[i] = from_bits(dtype, t.bits[i]);
  }
  return t;
}

std::vector<float> random_floats(std::size_t n, float low, float high, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(low, high);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

// Owns one cudaMalloc allocation.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t bytes) {
    if (cudaMalloc(&ptr_, std::max<std::size_t>(bytes, 16)) != cudaSuccess) ptr_ = nullptr;
  }
  DeviceBuffer(DeviceBuffer&& other) noexcept : ptr_(other.ptr_) { other.ptr_ = nullptr; }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(DeviceBuffer&&) = delete;
  ~DeviceBuffer() { cudaFree(ptr_); }

  template <typename T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  void* get() const { return ptr_; }

 private:
  void* ptr_ = nullptr;
};

template <typename T>
DeviceBuffer upload(const std::vector<T>& host) {
  DeviceBuffer buffer(host.size() * sizeof(T));
  EXPECT_NE(buffer.get(), nullptr);
  EXPECT_EQ(cudaMemcpy(buffer.get(), host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice),
            cudaSuccess);
  return buffer;
}

template <typename T>
std::vector<T> download(const DeviceBuffer& buffer, std::size_t n) {
  std::vector<T> host(n);
  EXPECT_EQ(cudaMemcpy(host.data(), buffer.get(), n * sizeof(T), cudaMemcpyDeviceToHost),
            cudaSuccess);
  return host;
}

std::vector<float> download16(DeviceDType dtype, const DeviceBuffer& buffer, std::size_t n) {
  const auto bits = download<std::uint16_t>(buffer, n);
  std::vector<float> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = from_bits(dtype, bits[i]);
  return values;
}

void expect_launch_ok(cudaError_t launch) {
  ASSERT_EQ(launch, cudaSuccess) << cudaGetErrorString(launch);
  const cudaError_t sync = cudaDeviceSynchronize();
  ASSERT_EQ(sync, cudaSuccess) << cudaGetErrorString(sync);
}

// |got - want| <= atol + rtol * |want| everywhere; reports the count, the worst element and the
// first few failures rather than one line per element.
void expect_close(const std::vector<float>& got, const std::vector<double>& want, double atol,
                  double rtol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  std::size_t failures = 0;
  double worst = 0.0;
  std::size_t worst_index = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double error = std::abs(static_cast<double>(got[i]) - want[i]);
    const bool ok = error <= atol + rtol * std::abs(want[i]);  // false for NaN too
    if (!(error <= worst)) {
      worst = error;
      worst_index = i;
    }
    if (!ok && ++failures <= 5) {
      ADD_FAILURE() << what << ": element " << i << " is " << got[i] << ", expected " << want[i];
    }
  }
  EXPECT_EQ(failures, 0u) << what << ": worst error " << worst << " at element " << worst_index
                          << " (atol " << atol << ", rtol " << rtol << ")";
}

class KernelsTest : public ::testing::TestWithParam<DeviceDType> {
 protected:
  void SetUp() override {
    if (!gpu_available()) {
      GTEST_SKIP() << "no CUDA device here; the cuda kernel tests run on a GPU machine";
    }
  }
  DeviceDType dtype() const { return GetParam(); }
  bool fp16() const { return dtype() == DeviceDType::kFp16; }

  // LayerNorm outputs are O(1) (normalized, gamma <= 1.5, |beta| <= 0.5). The GPU differs from
  // the double reference by fp32 summation order (~1e-6) plus the final rounding to 16 bits:
  // half an ulp, 2^-11 ~ 4.9e-4 relative for fp16 and 2^-8 ~ 3.9e-3 for bf16. Tolerances are
  // about 4x (fp16) and 2.5x (bf16) that, with the same absolute term for values near zero.
  double norm_tolerance() const { return fp16() ? 2e-3 : 1e-2; }

  std::mt19937 rng_{20261126};
};

// Widths: MiniLM's 384, small and large multiples of 8 (vector path; 264 leaves a partial last
// round of packs, 1024 is the vector path's limit) and widths that take the generic path (not
// a multiple of 8, or a multiple of 8 above 1024).
const int kWidths[] = {384, 64, 264, 1024, 40, 100, 1030, 1032};
// Not a multiple of the 4 rows per block, to cover the last block's idle warps.
constexpr int kNormTokens = 203;

// The double-precision LayerNorm of one row (biased variance, like torch.nn.LayerNorm).
void reference_layer_norm(const std::vector<double>& row, const std::vector<float>& gamma,
                          const std::vector<float>& beta, double eps, double* out) {
  const auto width = static_cast<double>(row.size());
  double mean = 0.0;
  for (double x : row) mean += x;
  mean /= width;
  double variance = 0.0;
  for (double x : row) variance += (x - mean) * (x - mean);
  variance /= width;
  const double rstd = 1.0 / std::sqrt(variance + eps);
  for (std::size_t i = 0; i < row.size(); ++i) out[i] = (row[i] - mean) * rstd * gamma[i] + beta[i];
}

TEST_P(KernelsTest, EmbedLayerNormMatchesCpu) {
  constexpr int kVocab = 1000;
  constexpr int kPositions = 512;
  constexpr int kTypes = 2;
  for (const int width : kWidths) {
    SCOPED_TRACE("width " + std::to_string(width));
    const auto w = static_cast<std::size_t>(width);
    // An offset keeps the row mean away from zero, so a wrong mean would show.
    const Tensor16 word = random_tensor(dtype(), kVocab * w, -0.7f, 1.3f, rng_);
    const Tensor16 position = random_tensor(dtype(), kPositions * w, -0.5f, 0.5f, rng_);
    const Tensor16 type = random_tensor(dtype(), kTypes * w, -0.3f, 0.3f, rng_);
    const std::vector<float> gamma = random_floats(w, 0.5f, 1.5f, rng_);
    const std::vector<float> beta = random_floats(w, -0.5f, 0.5f, rng_);
    std::vector<std::int32_t> input_ids(kNormTokens);
    std::vector<std::int32_t> position_ids(kNormTokens);
    std::vector<std::int32_t> type_ids(kNormTokens);
    for (int t = 0; t < kNormTokens; ++t) {
      input_ids[t] = static_cast<std::int32_t>(rng_() % kVocab);
      position_ids[t] = static_cast<std::int32_t>(rng_() % kPositions);
      type_ids[t] = static_cast<std::int32_t>(rng_() % kTypes);
    }
    constexpr float kEps = 1e-12f;

    const DeviceBuffer d_word = upload(word.bits);
    const DeviceBuffer d_position = upload(position.bits);
    const DeviceBuffer d_type = upload(type.bits);
    const DeviceBuffer d_gamma = upload(gamma);
    const DeviceBuffer d_beta = upload(beta);
    const DeviceBuffer d_input_ids = upload(input_ids);
    const DeviceBuffer d_position_ids = upload(position_ids);
    const DeviceBuffer d_type_ids = upload(type_ids);
    const DeviceBuffer d_out(kNormTokens * w * 2);
    const DeviceLayerNorm norm{d_gamma.as<float>(), d_beta.as<float>(), width, kEps};
    expect_launch_ok(launch_embed_layer_norm(
        dtype(), d_input_ids.as<std::int32_t>(), d_position_ids.as<std::int32_t>(),
        d_type_ids.as<std::int32_t>(), kNormTokens, d_word.get(), d_position.get(), d_type.get(),
        norm, d_out.get(), nullptr));
    const std::vector<float> got = download16(dtype(), d_out, kNormTokens * w);

    std::vector<double> want(kNormTokens * w);
    std::vector<double> row(w);
    for (int t = 0; t < kNormTokens; ++t) {
      for (std::size_t i = 0; i < w; ++i) {
        row[i] = static_cast<double>(word.values[input_ids[t] * w + i]) +
                 type.values[type_ids[t] * w + i] + position.values[position_ids[t] * w + i];
      }
      reference_layer_norm(row, gamma, beta, kEps, &want[t * w]);
    }
    expect_close(got, want, norm_tolerance(), norm_tolerance(), "embed_layer_norm");
  }
}

TEST_P(KernelsTest, AddLayerNormMatchesCpu) {
  for (const int width : kWidths) {
    SCOPED_TRACE("width " + std::to_string(width));
    const auto w = static_cast<std::size_t>(width);
    const Tensor16 x = random_tensor(dtype(), kNormTokens * w, -2.0f, 3.0f, rng_);
    const Tensor16 residual = random_tensor(dtype(), kNormTokens * w, -4.0f, 4.0f, rng_);
    const std::vector<float> gamma = random_floats(w, 0.5f, 1.5f, rng_);
    const std::vector<float> beta = random_floats(w, -0.5f, 0.5f, rng_);
    constexpr float kEps = 1e-12f;

    const DeviceBuffer d_x = upload(x.bits);
    const DeviceBuffer d_residual = upload(residual.bits);
    const DeviceBuffer d_gamma = upload(gamma);
    const DeviceBuffer d_beta = upload(beta);
    const DeviceLayerNorm norm{d_gamma.as<float>(), d_beta.as<float>(), width, kEps};
    expect_launch_ok(
        launch_add_layer_norm(dtype(), d_x.get(), d_residual.get(), kNormTokens, norm, nullptr));
    const std::vector<float> got = download16(dtype(), d_x, kNormTokens * w);
    // The residual is input only.
    EXPECT_EQ(download<std::uint16_t>(d_residual, kNormTokens * w), residual.bits);

    std::vector<double> want(kNormTokens * w);
    std::vector<double> row(w);
    for (int t = 0; t < kNormTokens; ++t) {
      for (std::size_t i = 0; i < w; ++i) {
        row[i] = static_cast<double>(x.values[t * w + i]) + residual.values[t * w + i];
      }
      reference_layer_norm(row, gamma, beta, kEps, &want[t * w]);
    }
    expect_close(got, want, norm_tolerance(), norm_tolerance(), "add_layer_norm");
  }
}

TEST_P(KernelsTest, LayerNormsAcceptAnEmptyBatch) {
  const std::vector<float> ones(384, 1.0f);
  const DeviceBuffer d_gamma = upload(ones);
  const DeviceLayerNorm norm{d_gamma.as<float>(), d_gamma.as<float>(), 384, 1e-12f};
  EXPECT_EQ(launch_add_layer_norm(dtype(), nullptr, nullptr, 0, norm, nullptr), cudaSuccess);
  EXPECT_EQ(launch_embed_layer_norm(dtype(), nullptr, nullptr, nullptr, 0, nullptr, nullptr,
                                    nullptr, norm, nullptr, nullptr),
            cudaSuccess);
}

// Pair lengths of the packed attention batches: a lone token, short, the MS MARCO mean (87),
// its maximum (331) and the model's limit (512); not multiples of the 64-key blocks.
const std::vector<int> kPairLengths = {87, 1, 512, 7, 331};

std::vector<std::int32_t> cumulative(const std::vector<int>& lengths) {
  std::vector<std::int32_t> cu{0};
  for (int length : lengths) cu.push_back(cu.back() + length);
  return cu;
}

struct AttentionCase {
  int head_size;
  int num_heads;
};

// softmax(q k^T / sqrt(d)) v in double for every pair and head, over the pair's tokens only.
std::vector<double> reference_attention(const std::vector<float>& qkv,
                                        const std::vector<std::int32_t>& cu, int num_heads,
                                        int head_size) {
  const std::size_t hidden = static_cast<std::size_t>(num_heads) * head_size;
  const std::size_t tokens = static_cast<std::size_t>(cu.back());
  std::vector<double> context(tokens * hidden);
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_size));
  std::vector<double> scores;
  for (std::size_t p = 0; p + 1 < cu.size(); ++p) {
    const std::size_t start = static_cast<std::size_t>(cu[p]);
    const std::size_t length = static_cast<std::size_t>(cu[p + 1] - cu[p]);
    scores.resize(length);
    for (std::size_t h = 0; h < static_cast<std::size_t>(num_heads); ++h) {
      for (std::size_t i = 0; i < length; ++i) {
        const float* q = &qkv[(start + i) * 3 * hidden + h * head_size];
        double max_score = -INFINITY;
        for (std::size_t j = 0; j < length; ++j) {
          const float* k = &qkv[(start + j) * 3 * hidden + hidden + h * head_size];
          double dot = 0.0;
          for (int d = 0; d < head_size; ++d) dot += static_cast<double>(q[d]) * k[d];
          scores[j] = dot * scale;
          max_score = std::max(max_score, scores[j]);
        }
        double sum = 0.0;
        for (std::size_t j = 0; j < length; ++j) {
          scores[j] = std::exp(scores[j] - max_score);
          sum += scores[j];
        }
        double* out = &context[(start + i) * hidden + h * head_size];
        for (std::size_t j = 0; j < length; ++j) {
          const float* v = &qkv[(start + j) * 3 * hidden + 2 * hidden + h * head_size];
          const double weight = scores[j] / sum;
          for (int d = 0; d < head_size; ++d) out[d] += weight * v[d];
        }
      }
    }
  }
  return context;
}

// Random packed q | k | v rows: q and k in [-2.5, 2.5] give scaled scores of standard deviation
// ~2, so softmax rows are far from uniform and their maxima move between key blocks; v in
// [-1, 1].
Tensor16 random_qkv(DeviceDType dtype, std::size_t tokens, std::size_t hidden, std::mt19937& rng) {
  Tensor16 qkv = random_tensor(dtype, tokens * 3 * hidden, -2.5f, 2.5f, rng);
  for (std::size_t t = 0; t < tokens; ++t) {
    for (std::size_t i = 2 * hidden; i < 3 * hidden; ++i) {
      const std::size_t at = t * 3 * hidden + i;
      qkv.bits[at] = to_bits(dtype, qkv.values[at] / 2.5f);
      qkv.values[at] = from_bits(dtype, qkv.bits[at]);
    }
  }
  return qkv;
}

PackedAttentionShape attention_shape(const std::vector<int>& lengths, AttentionCase c) {
  PackedAttentionShape shape;
  shape.num_pairs = static_cast<int>(lengths.size());
  shape.num_heads = c.num_heads;
  shape.head_size = c.head_size;
  shape.max_length = *std::max_element(lengths.begin(), lengths.end());
  return shape;
}

// Runs the kernel on one packed batch and compares it with reference_attention.
void check_attention(DeviceDType dtype, const std::vector<int>& lengths, AttentionCase c,
                     std::mt19937& rng) {
  const std::vector<std::int32_t> cu = cumulative(lengths);
  const std::size_t tokens = static_cast<std::size_t>(cu.back());
  const std::size_t hidden = static_cast<std::size_t>(c.num_heads) * c.head_size;
  const Tensor16 qkv = random_qkv(dtype, tokens, hidden, rng);
  const DeviceBuffer d_qkv = upload(qkv.bits);
  const DeviceBuffer d_cu = upload(cu);
  // Poison the output: every row must be written.
  const std::vector<std::uint16_t> poison(tokens * hidden, 0x7fff);  // NaN in fp16 and bf16
  const DeviceBuffer d_context = upload(poison);
  expect_launch_ok(launch_packed_attention(dtype, d_qkv.get(), d_cu.as<std::int32_t>(),
                                           attention_shape(lengths, c), d_context.get(), nullptr));
  const std::vector<float> got = download16(dtype, d_context, tokens * hidden);
  const std::vector<double> want = reference_attention(qkv.values, cu, c.num_heads, c.head_size);
  // Outputs are convex combinations of v (|v| <= 1). Beyond fp32 accumulation order, the GPU
  // rounds each probability to 16 bits before P V (as FlashAttention does), at most half an
  // ulp relative each, so at most 2^-12 (fp16) or 2^-9 (bf16) of max |v| in all, plus the
  // output's own rounding of the same size: <= 5e-4 (fp16), <= 4e-3 (bf16). A numpy emulation
  // of the kernel's blocking and rounding on these inputs gave 3.2e-4 and 2.3e-3 at worst.
  // Tolerances are about 4x the bound.
  const double atol = dtype == DeviceDType::kFp16 ? 2e-3 : 1.5e-2;
  expect_close(got, want, atol, 0.0, "packed_attention");
}

TEST_P(KernelsTest, PackedAttentionMatchesCpu) {
  // MiniLM (12 heads of 32), BERT-base-like heads of 64, and the other supported sizes.
  const AttentionCase cases[] = {{32, 12}, {64, 6}, {16, 2}, {128, 2}};
  for (const AttentionCase& c : cases) {
    SCOPED_TRACE("head_size " + std::to_string(c.head_size));
    check_attention(dtype(), kPairLengths, c, rng_);
  }
}

// bge-reranker-v2-m3's heads of 64 over a long pair (a key block's worth past 4,096 plus a
// ragged end) beside short ones, and heads of 128: the online softmax across 65 key blocks.
TEST_P(KernelsTest, PackedAttentionMatchesCpuOnALongPair) {
  const std::vector<int> lengths = {4161, 3, 64, 65};
  check_attention(dtype(), lengths, {64, 2}, rng_);
  check_attention(dtype(), {2000, 129}, {128, 1}, rng_);
}

TEST_P(KernelsTest, PackedAttentionMatchesCpuOnManyMsMarcoLikePairs) {
  // 48 pairs of MS MARCO-like lengths (mean ~90) plus its longest, in MiniLM's shape: many
  // blocks in flight at once, and most query tiles of the grid beyond their pair's end.
  std::vector<int> lengths;
  std::uniform_int_distribution<int> length(20, 160);
  for (int i = 0; i < 48; ++i) lengths.push_back(length(rng_));
  lengths.push_back(331);
  check_attention(dtype(), lengths, {32, 12}, rng_);
}

TEST_P(KernelsTest, PackedAttentionRejectsUnsupportedHeadSize) {
  const std::vector<int> lengths = {5};
  const DeviceBuffer d_cu = upload(cumulative(lengths));
  const DeviceBuffer d_qkv(5 * 3 * 48 * 2);
  const DeviceBuffer d_context(5 * 48 * 2);
  PackedAttentionShape shape;
  shape.num_pairs = 1;
  shape.num_heads = 1;
  shape.head_size = 48;
  shape.max_length = 5;
  EXPECT_EQ(launch_packed_attention(dtype(), d_qkv.get(), d_cu.as<std::int32_t>(), shape,
                                    d_context.get(), nullptr),
            cudaErrorInvalidValue);
}

// Also from [CLS] rows gathered into a compact block, as the last encoder layer leaves them.
TEST_P(KernelsTest, ClassifierHeadMatchesCpu) {
  struct HeadCase {
    int width;
    int num_labels;
  };
  // MiniLM's head (one logit), a large model's, a small multi-label head, and a width that is
  // not a whole number of the pooler's 32-output tiles.
  const HeadCase cases[] = {{384, 1}, {1024, 1}, {96, 3}, {80, 2}};
  for (const HeadCase& c : cases) {
    SCOPED_TRACE("width " + std::to_string(c.width));
    const auto w = static_cast<std::size_t>(c.width);
    const auto labels = static_cast<std::size_t>(c.num_labels);
    // Nine pairs: not a multiple of the pooler's eight pairs per block.
    const std::vector<int> lengths = {87, 1, 512, 7, 331, 2, 90, 64, 3};
    const std::vector<std::int32_t> cu = cumulative(lengths);
    const std::size_t tokens = static_cast<std::size_t>(cu.back());
    const auto pairs = lengths.size();
    const Tensor16 hidden = random_tensor(dtype(), tokens * w, -2.0f, 2.0f, rng_);
    // Small weights keep the pooler's tanh away from saturation, where errors would hide.
    const std::vector<float> pooler_weight = random_floats(w * w, -0.08f, 0.08f, rng_);
    const std::vector<float> pooler_bias = random_floats(w, -0.2f, 0.2f, rng_);
    const std::vector<float> classifier_weight = random_floats(labels * w, -0.2f, 0.2f, rng_);
    const std::vector<float> classifier_bias = random_floats(labels, -0.2f, 0.2f, rng_);

    const DeviceBuffer d_hidden = upload(hidden.bits);
    const DeviceBuffer d_cu = upload(cu);
    const DeviceBuffer d_pooler_weight = upload(pooler_weight);
    const DeviceBuffer d_pooler_bias = upload(pooler_bias);
    const DeviceBuffer d_classifier_weight = upload(classifier_weight);
    const DeviceBuffer d_classifier_bias = upload(classifier_bias);
    const DeviceBuffer d_logits(pairs * labels * sizeof(float));
    const DeviceBuffer d_pooled(pairs * w * sizeof(float));
    DeviceClassifierHead head;
    head.pooler_weight = d_pooler_weight.as<float>();
    head.pooler_bias = d_pooler_bias.as<float>();
    head.classifier_weight = d_classifier_weight.as<float>();
    head.classifier_bias = d_classifier_bias.as<float>();
    head.width = c.width;
    head.num_labels = c.num_labels;
    expect_launch_ok(launch_classifier_head(dtype(), d_hidden.get(), d_cu.as<std::int32_t>(),
                                            static_cast<int>(pairs), head, d_pooled.as<float>(),
                                            d_logits.as<float>(), nullptr));
    const std::vector<float> got = download<float>(d_logits, pairs * labels);

    // The last encoder layer's path: the [CLS] rows gathered into a compact block first, then
    // the head on it (null cu_seqlens). The gather is a bit copy and the head reads the same
    // values, so the logits must be identical.
    const DeviceBuffer d_cls(pairs * w * sizeof(std::uint16_t));
    expect_launch_ok(launch_gather_cls_rows(d_hidden.get(), d_cu.as<std::int32_t>(),
                                            static_cast<int>(pairs), c.width, d_cls.get(),
                                            nullptr));
    const auto cls_bits = download<std::uint16_t>(d_cls, pairs * w);
    std::size_t wrong_bits = 0;
    for (std::size_t p = 0; p < pairs; ++p) {
      for (std::size_t k = 0; k < w; ++k) {
        wrong_bits += cls_bits[p * w + k] != hidden.bits[static_cast<std::size_t>(cu[p]) * w + k];
      }
    }
    EXPECT_EQ(wrong_bits, 0u) << "gathered [CLS] rows differ from the packed ones";
    const DeviceBuffer d_compact_logits(pairs * labels * sizeof(float));
    expect_launch_ok(launch_classifier_head(dtype(), d_cls.get(), nullptr, static_cast<int>(pairs),
                                            head, d_pooled.as<float>(),
                                            d_compact_logits.as<float>(), nullptr));
    EXPECT_EQ(download<float>(d_compact_logits, pairs * labels), got);

    std::vector<double> want(pairs * labels);
    std::vector<double> pooled(w);
    for (std::size_t p = 0; p < pairs; ++p) {
      const float* cls = &hidden.values[static_cast<std::size_t>(cu[p]) * w];
      for (std::size_t o = 0; o < w; ++o) {
        double sum = pooler_bias[o];
        for (std::size_t k = 0; k < w; ++k)
          sum += static_cast<double>(pooler_weight[o * w + k]) * cls[k];
        pooled[o] = std::tanh(sum);
      }
      for (std::size_t o = 0; o < labels; ++o) {
        double sum = classifier_bias[o];
        for (std::size_t k = 0; k < w; ++k) sum += classifier_weight[o * w + k] * pooled[k];
        want[p * labels + o] = sum;
      }
    }
    // All fp32 on the GPU (the [CLS] row is exact in fp32): only summation order over <= 384
    // terms (~1e-6 relative) and tanhf's couple of ulps differ from double.
    expect_close(got, want, 1e-4, 1e-4, "classifier_head");
  }
}

TEST_P(KernelsTest, ConvertFromFloatRoundsToNearestEven) {
  std::vector<float> in;
  // Ties that must round to even, written out so this does not depend on the host conversion:
  // fp16 has 10 fraction bits, bf16 7.
  const float one_and_half_ulp = fp16() ? 1.0f + 0x1p-11f : 1.0f + 0x1p-8f;  // -> 1.0
  const float three_half_ulps = fp16() ? 1.0f + 0x3p-11f : 1.0f + 0x3p-8f;   // -> 1 + 2 ulps
  in.push_back(one_and_half_ulp);
  in.push_back(three_half_ulps);
  const std::uint16_t expected_ties[] = {static_cast<std::uint16_t>(fp16() ? 0x3c00 : 0x3f80),
                                         static_cast<std::uint16_t>(fp16() ? 0x3c02 : 0x3f82)};
  // Then many values over a wide range of magnitudes (subnormal and overflowing ones for fp16),
  // more than the kernel's 4096 x 256 grid so the grid-stride loop runs, and an odd count.
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-30, 20);
  constexpr std::size_t kCount = (1u << 21) + 3;
  while (in.size() < kCount) in.push_back(std::ldexp(normal(rng_), exponent(rng_)));
  in.push_back(INFINITY);
  in.push_back(-INFINITY);
  in.push_back(0.0f);
  in.push_back(-0.0f);

  const DeviceBuffer d_in = upload(in);
  const DeviceBuffer d_out(in.size() * 2);
  expect_launch_ok(launch_convert_from_float(dtype(), d_in.as<float>(), d_out.get(),
                                             static_cast<std::int64_t>(in.size()), nullptr));
  const std::vector<std::uint16_t> got = download<std::uint16_t>(d_out, in.size());
  EXPECT_EQ(got[0], expected_ties[0]);
  EXPECT_EQ(got[1], expected_ties[1]);
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (got[i] != to_bits(dtype(), in[i]) && ++mismatches <= 5) {
      ADD_FAILURE() << "element " << i << " (" << in[i] << ") became 0x" << std::hex << got[i]
                    << ", expected 0x" << to_bits(dtype(), in[i]);
    }
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(launch_convert_from_float(dtype(), nullptr, nullptr, 0, nullptr), cudaSuccess);
}

// The backend captures these launches into CUDA graphs: nothing in them may allocate or
// synchronize, and the shared-memory opt-in of the attention kernel must be capture-safe. The
// replayed graph must write exactly what the eager launches wrote.
TEST_P(KernelsTest, LaunchesCaptureIntoAGraph) {
  const std::vector<int> lengths = {87, 1, 300, 7};
  const AttentionCase c{64, 6};  // 53 KB of shared memory: takes the opt-in path
  const std::vector<std::int32_t> cu = cumulative(lengths);
  const std::size_t tokens = static_cast<std::size_t>(cu.back());
  const std::size_t hidden = static_cast<std::size_t>(c.num_heads) * c.head_size;
  const Tensor16 qkv = random_qkv(dtype(), tokens, hidden, rng_);
  const Tensor16 residual = random_tensor(dtype(), tokens * hidden, -1.0f, 1.0f, rng_);
  const std::vector<float> gamma = random_floats(hidden, 0.5f, 1.5f, rng_);
  const std::vector<float> beta = random_floats(hidden, -0.5f, 0.5f, rng_);
  const DeviceBuffer d_qkv = upload(qkv.bits);
  const DeviceBuffer d_cu = upload(cu);
  const DeviceBuffer d_residual = upload(residual.bits);
  const DeviceBuffer d_gamma = upload(gamma);
  const DeviceBuffer d_beta = upload(beta);
  const DeviceBuffer d_context(tokens * hidden * 2);
  const DeviceLayerNorm norm{d_gamma.as<float>(), d_beta.as<float>(), static_cast<int>(hidden),
                             1e-12f};
  const PackedAttentionShape shape = attention_shape(lengths, c);

  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), cudaSuccess);
  auto enqueue = [&]() {
    EXPECT_EQ(launch_packed_attention(dtype(), d_qkv.get(), d_cu.as<std::int32_t>(), shape,
                                      d_context.get(), stream),
              cudaSuccess);
    EXPECT_EQ(launch_add_layer_norm(dtype(), d_context.get(), d_residual.get(),
                                    static_cast<int>(tokens), norm, stream),
              cudaSuccess);
  };
  enqueue();
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  const auto eager = download<std::uint16_t>(d_context, tokens * hidden);
  ASSERT_EQ(cudaMemsetAsync(d_context.get(), 0, tokens * hidden * 2, stream), cudaSuccess);

  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
  ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal), cudaSuccess);
  enqueue();
  ASSERT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  EXPECT_EQ(download<std::uint16_t>(d_context, tokens * hidden), eager);
  EXPECT_EQ(cudaGraphExecDestroy(exec), cudaSuccess);
  EXPECT_EQ(cudaGraphDestroy(graph), cudaSuccess);
  EXPECT_EQ(cudaStreamDestroy(stream), cudaSuccess);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, KernelsTest,
                         ::testing::Values(DeviceDType::kFp16, DeviceDType::kBf16),
                         [](const ::testing::TestParamInfo<DeviceDType>& param) {
                           return std::string(dtype_name(param.param));
                         });

}  // namespace
}  // namespace rerankd::backend::cuda
