// The cpu backend's attention kernel alone: packed_attention over pairs of one length, as one
// encoder layer of a MiniLM-shaped model runs it (12 heads of 32), on random q, k and v.
// Prints microseconds per (pair, head) and the multiply-add rate of QK^T and PV together.
// Usage: attention_bench [--pairs 16] [--length 87] [--heads 12] [--head-size 32]
//                        [--threads 1] [--seconds 2] [--cls-only 0|1]
#include <omp.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string_view>
#include <vector>

#include "backend/cpu/attention.h"

namespace {

struct Options {
  int pairs = 16;
  int length = 87;  // the MS MARCO sample's mean pair length
  int heads = 12;
  int head_size = 32;
  int threads = 1;
  double seconds = 2.0;
  bool cls_only = false;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--pairs") options.pairs = std::atoi(value);
    if (flag == "--length") options.length = std::atoi(value);
    if (flag == "--heads") options.heads = std::atoi(value);
    if (flag == "--head-size") options.head_size = std::atoi(value);
    if (flag == "--threads") options.threads = std::atoi(value);
    if (flag == "--seconds") options.seconds = std::atof(value);
    if (flag == "--cls-only") options.cls_only = std::atoi(value) != 0;
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  using rerankd::backend::cpu::attention_scratch_floats;
  using rerankd::backend::cpu::packed_attention;
  using rerankd::backend::cpu::PackedAttentionShape;
  const Options o = parse(argc, argv);
  const std::int64_t hidden = std::int64_t{o.heads} * o.head_size;
  const std::int64_t tokens = std::int64_t{o.pairs} * o.length;
  std::vector<std::int32_t> cu_seqlens{0};
  for (int pair = 0; pair < o.pairs; ++pair) cu_seqlens.push_back(cu_seqlens.back() + o.length);

  std::mt19937 random(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> qkv(static_cast<std::size_t>(tokens * 3 * hidden));
  for (float& value : qkv) value = normal(random);
  std::vector<float> context(static_cast<std::size_t>(tokens * hidden));
  const PackedAttentionShape shape{.num_heads = o.heads,
                                   .head_size = o.head_size,
                                   .max_length = o.length,
                                   .cls_only = o.cls_only};
  std::vector<float> scratch(attention_scratch_floats(shape) * static_cast<std::size_t>(o.threads));
  omp_set_num_threads(o.threads);

  const auto run = [&] {
    packed_attention(qkv.data(), cu_seqlens, shape, context.data(), scratch, o.threads);
  };
  run();  // warm-up: first touch of the buffers
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  long runs = 0;
  double elapsed = 0.0;
  do {
    run();
    ++runs;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < o.seconds);

  const double items = static_cast<double>(runs) * o.pairs * o.heads;
  const double query_rows = o.cls_only ? 1.0 : o.length;
  // QK^T and PV: query_rows x length x head_size multiply-adds each.
  const double flops = items * 2.0 * 2.0 * query_rows * o.length * o.head_size;
  std::printf(
      "%d pairs x %d tokens, %d heads of %d, %d thread(s)%s: %.2f us per (pair, head), "
      "%.1f GFLOP/s\n",
      o.pairs, o.length, o.heads, o.head_size, o.threads, o.cls_only ? ", [CLS] only" : "",
      elapsed / items * 1e6 * o.threads, flops / elapsed * 1e-9);
  return 0;
}
