#include "backend/cpu/matmul.h"

#include <omp.h>

#include <algorithm>
#include <functional>
#include <oneapi/dnnl/dnnl.hpp>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "backend/cpu/quantize.h"

namespace rerankd::backend::cpu {
namespace {

using Tag = dnnl::memory::format_tag;
using Type = dnnl::memory::data_type;

// One CPU engine for the process: engines are cheap handles, but every primitive and memory
// must agree on one.
const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// One stream per thread: the backend's pair groups run the same Matmul on several threads at
// once, and a CPU stream is cheap but not documented as safe to share between threads.
dnnl::stream& thread_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

// Sets the calling thread's OpenMP thread count for a scope. oneDNN fixes a primitive's thread
// count (and so how it splits the work) when the primitive is created, from this count.
class ScopedOmpThreads {
 public:
  explicit ScopedOmpThreads(int threads) : saved_(omp_get_max_threads()) {
    omp_set_num_threads(threads);
  }
  ~ScopedOmpThreads() { omp_set_num_threads(saved_); }
  ScopedOmpThreads(const ScopedOmpThreads&) = delete;
  ScopedOmpThreads& operator=(const ScopedOmpThreads&) = delete;

 private:
  int saved_;
};

dnnl::algorithm algorithm_for(Epilogue epilogue) {
  switch (epilogue) {
    case Epilogue::kGeluErf:
      return dnnl::algorithm::eltwise_gelu_erf;
    case Epilogue::kGeluTanh:
      return dnnl::algorithm::eltwise_gelu_tanh;
    case Epilogue::kRelu:
      return dnnl::algorithm::eltwise_relu;
    case Epilogue::kTanh:
      return dnnl::algorithm::eltwise_tanh;
    case Epilogue::kNone:
      break;
  }
  return dnnl::algorithm::undef;
}

constexpr std::size_t kAlignment = 64;
std::size_t aligned(std::size_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

// The weights data type of each precision (dst stays f32).
Type operand_type(Precision precision) {
  switch (precision) {
    case Precision::kBf16:
      return Type::bf16;
    case Precision::kInt8:
      return Type::s8;
    case Precision::kFp32:
      break;
  }
  return Type::f32;
}

// The src data type of each precision: int8 activations are u8 with a zero point per row (see
// quantize.h).
Type src_type(Precision precision) {
  return precision == Precision::kInt8 ? Type::u8 : operand_type(precision);
}

bool has_vnni(dnnl::cpu_isa isa) {
  // avx2_vnni is left out on purpose: whether oneDNN 2.6's int8 GEMM uses it is not known, and 7
  // bits are correct either way.
  return isa == dnnl::cpu_isa::avx512_core_vnni || isa == dnnl::cpu_isa::avx512_core_bf16 ||
         isa == dnnl::cpu_isa::avx512_core_amx;
}

// Whether oneDNN builds a matmul of this precision here at all (tried on a small shape).
bool builds(Precision precision) {
  try {
    const Type type = operand_type(precision);
    const dnnl::memory::desc src({DNNL_RUNTIME_DIM_VAL, 64}, src_type(precision), Tag::ab);
    const dnnl::memory::desc weights({64, 64}, type, Tag::any);
    const dnnl::memory::desc dst({DNNL_RUNTIME_DIM_VAL, 64}, Type::f32, Tag::ab);
    const dnnl::matmul::primitive_desc descriptor(dnnl::matmul::desc(src, weights, dst),
                                                  cpu_engine());
    return true;
  } catch (const dnnl::error&) {
    return false;
  }
}

Status probe_precision(Precision precision) {
  if (precision == Precision::kFp32 || builds(precision)) return Status();
  std::string reason = std::string("cpu backend: ") + precision_name(precision);
  reason += precision == Precision::kBf16 ? " needs AVX-512" : " is not supported by oneDNN here";
  reason.append(" (oneDNN sees ").append(cpu_isa_name()).append("); available here: fp32");
  for (const Precision other : {Precision::kBf16, Precision::kInt8}) {
    if (other != precision && builds(other)) {
      reason.append(", ").append(precision_name(other));
    }
  }
  return unimplemented(reason);
}

}  // namespace

const char* precision_name(Precision precision) {
  switch (precision) {
    case Precision::kBf16:
      return "bf16";
    case Precision::kInt8:
      return "int8";
    case Precision::kFp32:
      break;
  }
  return "fp32";
}

Status check_precision(Precision precision) {
  // Probed once per process: the answer depends only on the CPU.
  static const Status kStatus[] = {probe_precision(Precision::kFp32),
                                   probe_precision(Precision::kBf16),
                                   probe_precision(Precision::kInt8)};
  return kStatus[static_cast<int>(precision)];
}

const char* cpu_isa_name() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41:
      return "sse41";
    case dnnl::cpu_isa::avx:
      return "avx";
    case dnnl::cpu_isa::avx2:
      return "avx2";
    case dnnl::cpu_isa::avx2_vnni:
      return "avx2_vnni";
    case dnnl::cpu_isa::avx512_mic:
      return "avx512_mic";
    case dnnl::cpu_isa::avx512_mic_4ops:
      return "avx512_mic_4ops";
    case dnnl::cpu_isa::avx512_core:
      return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx:
      return "avx512_core_amx";
    default:
      break;
  }
  return "unknown";
}

int int8_weight_levels() {
  static const int kLevels = has_vnni(dnnl::get_effective_cpu_isa()) ? 127 : 63;
  return kLevels;
}

namespace {

// One oneDNN primitive and the row count it was made for.
struct Chunk {
  std::int64_t rows = 0;  // 0: a runtime row count (the fallback)
  dnnl::matmul::primitive_desc descriptor;
  dnnl::matmul primitive;
  std::size_t scratchpad_bytes = 0;
};

}  // namespace

struct Matmul::Impl {
  std::int64_t in = 0;
  std::int64_t out = 0;
  Precision precision = Precision::kFp32;
  Epilogue epilogue = Epilogue::kNone;  // applied by our loop for int8, by oneDNN otherwise
  std::vector<float> bias_values;       // int8 only: added by our loop after the row scale
  std::vector<float> column_sums;       // int8 only: scale_n * sum_k q_w[n, k] (zero points)
  // Made for team_threads threads (fixed row counts, largest first; or one runtime-M), and the
  // same row counts made for one thread, which run() takes inside a parallel region, where
  // oneDNN runs a primitive on the calling thread alone. On the Sapphire Rapids host the team's
  // primitives run there too, but measured no faster. solo_chunks is empty when oneDNN refused
  // one of the row counts for one thread (then run() refuses parallel regions); the team's
  // when the team is one thread.
  std::vector<Chunk> chunks;
  std::vector<Chunk> solo_chunks;
  int team_threads = 1;
  std::vector<std::int64_t> chunk_rows;  // the fixed row counts (empty with the runtime-M one)
  std::string implementation;
  dnnl::memory weights;  // reordered once, owned by oneDNN, shared by every chunk
  dnnl::memory bias;     // [1, out], owned by oneDNN
  // Scratch layout (byte offsets): oneDNN's scratchpad (the largest of the chunks'), the padded
  // tail's staging rows (fp32 input, fp32 only, and output), then the converted activations.
  std::size_t staging_in_offset = 0;
  std::size_t staging_out_offset = 0;
  std::size_t fixed_bytes = 0;  // scratchpad_bytes(): everything independent of rows
  std::int64_t pad_rows = 1;    // rows are padded to a multiple of this in the converted buffer

  std::int64_t padded(std::int64_t rows) const {
    return (rows + pad_rows - 1) / pad_rows * pad_rows;
  }
};

namespace {

// "brg:avx512_core_amx (M=1024,256,64,16)", one entry per distinct implementation name.
std::string describe(const std::vector<Chunk>& chunks) {
  std::vector<std::pair<std::string, std::string>> names;
  for (const Chunk& chunk : chunks) {
    const std::string name = chunk.descriptor.impl_info_str();
    const std::string rows = chunk.rows > 0 ? std::to_string(chunk.rows) : "runtime";
    auto it = std::find_if(names.begin(), names.end(),
                           [&name](const auto& entry) { return entry.first == name; });
    if (it == names.end()) {
      names.emplace_back(name, rows);
    } else {
      it->second.append(",").append(rows);
    }
  }
  std::string text;
  for (const auto& [name, rows] : names) {
    if (!text.empty()) text.append("; ");
    text.append(name).append(rows == "runtime" ? " (runtime M)" : " (M=" + rows + ")");
  }
  return text;
}

}  // namespace

Result<Matmul> Matmul::create(std::span<const float> weight, std::span<const float> bias,
                              std::int64_t out, std::int64_t in, Epilogue epilogue,
                              Precision precision, std::span<const std::int64_t> chunk_rows,
                              int threads) {
  // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "[" + std::string.
  std::string shape = "[";
  shape.append(std::to_string(out)).append(" x ").append(std::to_string(in)).append("]");
  if (out <= 0 || in <= 0 || static_cast<std::int64_t>(weight.size()) != out * in ||
      static_cast<std::int64_t>(bias.size()) != out) {
    return invalid_argument("cpu matmul " + shape + ": weight holds " +
                            std::to_string(weight.size()) + " values and bias " +
                            std::to_string(bias.size()));
  }
  RERANKD_RETURN_IF_ERROR(check_precision(precision));
  try {
    const dnnl::engine& engine = cpu_engine();
    auto impl = std::make_unique<Impl>();
    impl->in = in;
    impl->out = out;
    impl->precision = precision;
    impl->epilogue = epilogue;
    const Type type = operand_type(precision);
    const bool int8 = precision == Precision::kInt8;
    const dnnl::memory::desc bias_desc({1, out}, Type::f32, Tag::ab);

    dnnl::primitive_attr attr;
    // The backend's arena supplies the scratchpad, so execution allocates no buffers.
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    // Weights in the layout PyTorch stores them, [out, in] row-major, quantised first for int8.
    std::vector<std::int8_t> quantized;
    if (int8) {
      // oneDNN 2.6 scales int8 matmul outputs per tensor or per N only, and adds the bias
      // before scaling, so it applies the column scales and everything that depends on the row
      // (row scale, then bias and activation) is dequantize_rows' job after the GEMM.
      quantized.resize(static_cast<std::size_t>(out * in));
      std::vector<float> column_scales(static_cast<std::size_t>(out));
      quantize_channels(weight, out, in, int8_weight_levels(), quantized.data(),
                        column_scales.data());
      attr.set_output_scales(1 << 1, column_scales);
      impl->bias_values.assign(bias.begin(), bias.end());
      impl->column_sums.resize(static_cast<std::size_t>(out));
      for (std::int64_t n = 0; n < out; ++n) {
        std::int64_t sum = 0;
        for (std::int64_t k = 0; k < in; ++k)
          sum += quantized[static_cast<std::size_t>(n * in + k)];
        impl->column_sums[n] = column_scales[n] * static_cast<float>(sum);
      }
    } else if (epilogue != Epilogue::kNone) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.0f, algorithm_for(epilogue), 0.0f, 0.0f);
      attr.set_post_ops(ops);
    }
    // One primitive for `rows` rows (DNNL_RUNTIME_DIM_VAL: any) with the given weights layout.
    auto make_chunk = [&](std::int64_t rows, const dnnl::memory::desc& weights) {
      const dnnl::memory::dim m = rows > 0 ? rows : DNNL_RUNTIME_DIM_VAL;
      const dnnl::memory::desc src({m, in}, src_type(precision), Tag::ab);
      const dnnl::memory::desc dst({m, out}, Type::f32, Tag::ab);
      Chunk chunk;
      chunk.rows = rows;
      // int8 adds its bias in dequantize_rows (after the row scale).
      chunk.descriptor =
          int8 ? dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, weights, dst), attr, engine)
               : dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, weights, bias_desc, dst),
                                              attr, engine);
      chunk.primitive = dnnl::matmul(chunk.descriptor);
      chunk.scratchpad_bytes = chunk.descriptor.scratchpad_desc().get_size();
      return chunk;
    };

    // `any` lets the largest primitive choose its preferred (possibly blocked) weight layout;
    // the smaller ones must take that same layout, so one reordered copy serves them all.
    const dnnl::memory::desc weights_any({in, out}, type, Tag::any);
    std::vector<std::int64_t> sizes;
    for (const std::int64_t rows : chunk_rows) {
      if (rows > 0) sizes.push_back(rows);
    }
    std::sort(sizes.begin(), sizes.end(), std::greater<>());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    impl->team_threads = threads > 0 ? threads : omp_get_max_threads();
    dnnl::memory::desc weights_desc;
    {
      const ScopedOmpThreads team(impl->team_threads);
      for (const std::int64_t rows : sizes) {
        try {
          impl->chunks.push_back(
              make_chunk(rows, impl->chunks.empty() ? weights_any : weights_desc));
          if (impl->chunks.size() == 1) {
            weights_desc = impl->chunks.front().descriptor.weights_desc();
          }
        } catch (const dnnl::error&) {
          // This row count cannot take the shared layout (or at all): the others cover its rows.
        }
      }
      if (impl->chunks.empty()) {
        // The packed token count changes with every batch: a runtime M serves any of them.
        impl->chunks.push_back(make_chunk(0, weights_any));
        weights_desc = impl->chunks.front().descriptor.weights_desc();
      } else {
        for (const Chunk& chunk : impl->chunks) impl->chunk_rows.push_back(chunk.rows);
      }
    }
    if (impl->team_threads == 1) {
      impl->solo_chunks = impl->chunks;
    } else {
      // The same row counts on the team's weight layout, so one reordered copy serves both.
      const ScopedOmpThreads solo(1);
      try {
        for (const Chunk& chunk : impl->chunks) {
          impl->solo_chunks.push_back(make_chunk(chunk.rows, weights_desc));
        }
      } catch (const dnnl::error&) {
        impl->solo_chunks.clear();
      }
    }
    impl->implementation = describe(impl->chunks);

    // Scratch layout; the tail pads to the smallest chunk.
    std::size_t scratchpad = 0;
    for (const auto* set : {&impl->chunks, &impl->solo_chunks}) {
      for (const Chunk& chunk : *set) scratchpad = std::max(scratchpad, chunk.scratchpad_bytes);
    }
    impl->pad_rows = impl->chunk_rows.empty() ? 1 : impl->chunk_rows.back();
    const auto pad = static_cast<std::size_t>(impl->pad_rows);
    impl->staging_in_offset = aligned(scratchpad);
    const std::size_t staging_in =
        impl->chunk_rows.empty() || precision != Precision::kFp32
            ? 0
            : aligned(pad * static_cast<std::size_t>(in) * sizeof(float));
    impl->staging_out_offset = impl->staging_in_offset + staging_in;
    const std::size_t staging_out =
        impl->chunk_rows.empty() ? 0 : aligned(pad * static_cast<std::size_t>(out) * sizeof(float));
    impl->fixed_bytes = impl->staging_out_offset + staging_out;

    // PyTorch's [out, in] row-major is the [in, out] matrix oneDNN wants, stored column-major
    // (tag ba): the reorder reads it in place.
    // The reorder also converts f32 -> bf16, and for int8 adds any compensation the primitive's
    // weight layout carries.
    const dnnl::memory::desc torch_layout({in, out}, int8 ? Type::s8 : Type::f32, Tag::ba);
    void* weight_data = int8 ? static_cast<void*>(quantized.data())
                             : static_cast<void*>(const_cast<float*>(weight.data()));
    dnnl::memory source(torch_layout, engine, weight_data);
    impl->weights = dnnl::memory(weights_desc, engine);
    dnnl::stream& stream = thread_stream();
    dnnl::reorder(source, impl->weights).execute(stream, source, impl->weights);
    impl->bias = dnnl::memory(bias_desc, engine);
    dnnl::memory bias_source(bias_desc, engine, const_cast<float*>(bias.data()));
    dnnl::reorder(bias_source, impl->bias).execute(stream, bias_source, impl->bias);
    stream.wait();
    return Matmul(std::move(impl));
  } catch (const dnnl::error& error) {
    return internal_error("cpu matmul " + shape + ": oneDNN failed: " + error.what());
  }
}

Matmul::Matmul(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Matmul::Matmul(Matmul&&) noexcept = default;
Matmul& Matmul::operator=(Matmul&&) noexcept = default;
Matmul::~Matmul() = default;

void Matmul::run(const float* x, std::int64_t rows, float* y, void* scratchpad,
                 const QuantizedRows* quantized_y) const {
  run_chunks(x, nullptr, rows, y, scratchpad, quantized_y);
}

void Matmul::run_quantized(const QuantizedRows& x, std::int64_t rows, float* y, void* scratchpad,
                           const QuantizedRows* quantized_y) const {
  run_chunks(nullptr, &x, rows, y, scratchpad, quantized_y);
}

std::int64_t Matmul::padded_rows(std::int64_t rows) const { return impl_->padded(rows); }

void Matmul::run_chunks(const float* x, const QuantizedRows* quantized_x, std::int64_t rows,
                        float* y, void* scratchpad, const QuantizedRows* quantized_y) const {
  const Impl& impl = *impl_;
  const bool int8 = impl.precision == Precision::kInt8;
  if (!int8 && (quantized_x != nullptr || quantized_y != nullptr)) {
    throw std::logic_error("cpu matmul: quantised input or output needs int8");
  }
  // Inside a parallel region oneDNN runs a primitive on this thread alone: the primitives made
  // for one thread block their work for that (see Impl::chunks).
  const bool solo = omp_in_parallel() != 0;
  const std::vector<Chunk>& chunks = solo ? impl.solo_chunks : impl.chunks;
  if (chunks.empty()) {
    throw std::logic_error("cpu matmul: oneDNN made no one-thread primitives for this shape");
  }
  const dnnl::engine& engine = cpu_engine();
  dnnl::stream& stream = thread_stream();
  auto* const scratch = static_cast<std::byte*>(scratchpad);
  auto* const staging_in = reinterpret_cast<float*>(scratch + impl.staging_in_offset);
  auto* const staging_out = reinterpret_cast<float*>(scratch + impl.staging_out_offset);
  // bf16 / int8: every row converted once, into a buffer padded to the smallest chunk.
  std::byte* const converted = scratch + impl.fixed_bytes;
  const std::int64_t padded = impl.padded(rows);
  const auto padded_elements = static_cast<std::size_t>(padded * impl.in);
  const auto elements = static_cast<std::size_t>(rows * impl.in);
  // int8: the levels GEMMs read, ours (quantised chunk by chunk below, so each chunk's rows are
  // still in cache for its GEMM) or the caller's.
  const QuantizedRows own{
      .levels = reinterpret_cast<std::uint8_t*>(converted),
      .scales = reinterpret_cast<float*>(converted + aligned(padded_elements)),
      .zero_points = reinterpret_cast<float*>(converted + aligned(padded_elements)) + rows};
  const QuantizedRows& levels = quantized_x != nullptr ? *quantized_x : own;
  std::size_t src_element_bytes = sizeof(float);
  if (int8) {
    // Padding rows feed only outputs that are thrown away; zeros keep them deterministic.
    if (quantized_x == nullptr) std::fill(own.levels + elements, own.levels + padded_elements, 0);
    src_element_bytes = 1;
  } else if (impl.precision == Precision::kBf16) {
    auto* const h = reinterpret_cast<std::uint16_t*>(converted);
    to_bf16(x, rows * impl.in, h);
    std::fill(h + elements, h + padded_elements, std::uint16_t{0});
    src_element_bytes = sizeof(std::uint16_t);
  }
  const Type source_type = src_type(impl.precision);

  for (std::int64_t row = 0; row < rows;) {
    const std::int64_t left = rows - row;
    // The largest chunk that fits, else (a tail) the smallest one, padded.
    const Chunk* chunk = &chunks.back();
    for (const Chunk& candidate : chunks) {
      if (candidate.rows <= left) {
        chunk = &candidate;
        break;
      }
    }
    const std::int64_t m = chunk->rows > 0 ? chunk->rows : left;
    const std::int64_t used = std::min(m, left);
    const bool tail = used < m;
    void* src_data = nullptr;
    if (int8) {
      if (quantized_x == nullptr) {
        quantize_rows(x + row * impl.in, used, impl.in, own.levels + row * impl.in,
                      own.scales + row, own.zero_points + row);
      }
      src_data = levels.levels + row * impl.in;
    } else if (impl.precision == Precision::kBf16) {
      src_data = converted + static_cast<std::size_t>(row * impl.in) * src_element_bytes;
    } else if (tail) {
      const float* first = x + row * impl.in;
      std::copy(first, first + used * impl.in, staging_in);
      std::fill(staging_in + used * impl.in, staging_in + m * impl.in, 0.0f);
      src_data = staging_in;
    } else {
      src_data = const_cast<float*>(x + row * impl.in);
    }
    float* const dst_data = tail ? staging_out : y + row * impl.out;
    // Memory objects are small handles over our buffers (no data is allocated or copied).
    dnnl::memory src({{m, impl.in}, source_type, Tag::ab}, engine, src_data);
    dnnl::memory dst({{m, impl.out}, Type::f32, Tag::ab}, engine, dst_data);
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, impl.weights}, {DNNL_ARG_DST, dst}};
    if (!int8) args.emplace(DNNL_ARG_BIAS, impl.bias);
    if (chunk->scratchpad_bytes > 0) {
      args.emplace(DNNL_ARG_SCRATCHPAD,
                   dnnl::memory(chunk->descriptor.scratchpad_desc(), engine, scratchpad));
    }
    chunk->primitive.execute(stream, args);
    if (tail || int8) stream.wait();
    if (int8) {
      // While the chunk's output is still in cache.
      const QuantizedRows next =
          quantized_y != nullptr ? quantized_y->from_row(row, impl.out) : QuantizedRows{};
      dequantize_rows(dst_data, used, impl.out, levels.scales + row, levels.zero_points + row,
                      impl.column_sums.data(), impl.bias_values.data(), impl.epilogue,
                      quantized_y != nullptr ? &next : nullptr);
    }
    if (tail) std::copy(staging_out, staging_out + used * impl.out, y + row * impl.out);
    row += used;
  }
  stream.wait();
}

std::size_t Matmul::scratchpad_bytes() const { return impl_->fixed_bytes; }

std::size_t Matmul::scratch_bytes(std::int64_t rows) const {
  const Impl& impl = *impl_;
  if (impl.precision == Precision::kFp32) return impl.fixed_bytes;
  const auto elements = static_cast<std::size_t>(impl.padded(rows) * impl.in);
  if (impl.precision == Precision::kBf16) {
    return impl.fixed_bytes + elements * sizeof(std::uint16_t);
  }
  return impl.fixed_bytes + aligned(elements) + 2 * static_cast<std::size_t>(rows) * sizeof(float);
}

Precision Matmul::precision() const { return impl_->precision; }
std::int64_t Matmul::in() const { return impl_->in; }
std::int64_t Matmul::out() const { return impl_->out; }
const char* Matmul::implementation() const { return impl_->implementation.c_str(); }
std::span<const std::int64_t> Matmul::chunk_rows() const { return impl_->chunk_rows; }
int Matmul::team_threads() const { return impl_->team_threads; }
bool Matmul::runs_in_parallel_regions() const { return !impl_->solo_chunks.empty(); }

}  // namespace rerankd::backend::cpu
