#include "backend/cpu/matmul.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>

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

}  // namespace

struct Matmul::Impl {
  std::int64_t in = 0;
  std::int64_t out = 0;
  dnnl::matmul::primitive_desc descriptor;
  dnnl::matmul primitive;
  dnnl::memory weights;         // reordered, owned by oneDNN
  dnnl::memory bias;            // [1, out], owned by oneDNN
  mutable dnnl::stream stream;  // run() is const but executing needs a non-const stream
  std::size_t scratchpad_bytes = 0;
};

Result<Matmul> Matmul::create(std::span<const float> weight, std::span<const float> bias,
                              std::int64_t out, std::int64_t in, Epilogue epilogue) {
  // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "[" + std::string.
  std::string shape = "[";
  shape.append(std::to_string(out)).append(" x ").append(std::to_string(in)).append("]");
  if (out <= 0 || in <= 0 || static_cast<std::int64_t>(weight.size()) != out * in ||
      static_cast<std::int64_t>(bias.size()) != out) {
    return invalid_argument("cpu matmul " + shape + ": weight holds " +
                            std::to_string(weight.size()) + " values and bias " +
                            std::to_string(bias.size()));
  }
  try {
    const dnnl::engine& engine = cpu_engine();
    auto impl = std::make_unique<Impl>();
    impl->in = in;
    impl->out = out;
    // M (the packed token count) changes with every batch, so it is a runtime dimension: one
    // primitive per weight serves every batch and nothing is created on the hot path. Measured
    // on the 2-core AVX2 dev box (oneDNN 2.6 picks gemm:jit either way), a primitive made for
    // each exact M was no faster (142 vs 144 ms per MiniLM layer at M = 2784, 1 thread).
    const dnnl::memory::desc src({DNNL_RUNTIME_DIM_VAL, in}, Type::f32, Tag::ab);
    const dnnl::memory::desc dst({DNNL_RUNTIME_DIM_VAL, out}, Type::f32, Tag::ab);
    // `any` lets the primitive choose its preferred (possibly blocked) weight layout.
    const dnnl::memory::desc weights_any({in, out}, Type::f32, Tag::any);
    const dnnl::memory::desc bias_desc({1, out}, Type::f32, Tag::ab);

    dnnl::primitive_attr attr;
    // The backend's arena supplies the scratchpad, so execution allocates no buffers.
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (epilogue != Epilogue::kNone) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.0f, algorithm_for(epilogue), 0.0f, 0.0f);
      attr.set_post_ops(ops);
    }
    impl->descriptor = dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(src, weights_any, bias_desc, dst), attr, engine);
    impl->primitive = dnnl::matmul(impl->descriptor);
    impl->stream = dnnl::stream(engine);
    impl->scratchpad_bytes = impl->descriptor.scratchpad_desc().get_size();

    // PyTorch's [out, in] row-major is the [in, out] matrix oneDNN wants, stored column-major
    // (tag ba): the reorder reads it in place.
    const dnnl::memory::desc torch_layout({in, out}, Type::f32, Tag::ba);
    dnnl::memory source(torch_layout, engine, const_cast<float*>(weight.data()));
    impl->weights = dnnl::memory(impl->descriptor.weights_desc(), engine);
    dnnl::reorder(source, impl->weights).execute(impl->stream, source, impl->weights);
    impl->bias = dnnl::memory(bias_desc, engine);
    dnnl::memory bias_source(bias_desc, engine, const_cast<float*>(bias.data()));
    dnnl::reorder(bias_source, impl->bias).execute(impl->stream, bias_source, impl->bias);
    impl->stream.wait();
    return Matmul(std::move(impl));
  } catch (const dnnl::error& error) {
    return internal_error("cpu matmul " + shape + ": oneDNN failed: " + error.what());
  }
}

Matmul::Matmul(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Matmul::Matmul(Matmul&&) noexcept = default;
Matmul& Matmul::operator=(Matmul&&) noexcept = default;
Matmul::~Matmul() = default;

void Matmul::run(const float* x, std::int64_t rows, float* y, void* scratchpad) const {
  const Impl& impl = *impl_;
  const dnnl::engine& engine = cpu_engine();
  // Memory objects are small handles over our buffers (no data is allocated or copied).
  dnnl::memory src({{rows, impl.in}, Type::f32, Tag::ab}, engine, const_cast<float*>(x));
  dnnl::memory dst({{rows, impl.out}, Type::f32, Tag::ab}, engine, y);
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, src},
                                             {DNNL_ARG_WEIGHTS, impl.weights},
                                             {DNNL_ARG_BIAS, impl.bias},
                                             {DNNL_ARG_DST, dst}};
  if (impl.scratchpad_bytes > 0) {
    args.emplace(DNNL_ARG_SCRATCHPAD,
                 dnnl::memory(impl.descriptor.scratchpad_desc(), engine, scratchpad));
  }
  impl.primitive.execute(impl.stream, args);
  impl.stream.wait();
}

std::size_t Matmul::scratchpad_bytes() const { return impl_->scratchpad_bytes; }
std::int64_t Matmul::in() const { return impl_->in; }
std::int64_t Matmul::out() const { return impl_->out; }
const char* Matmul::implementation() const { return impl_->descriptor.impl_info_str(); }

}  // namespace rerankd::backend::cpu
