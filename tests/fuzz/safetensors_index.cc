// Fuzzes model.safetensors.index.json, which WeightStorage::open parses (open_sharded) when a
// model directory has no model.safetensors: the input is written as the index of a scratch
// model directory that holds two small valid shards, then the tensors of both shards are
// looked up as the model loader would, with and without the "bert." prefix.
//
// Invariants (abort on violation): an accepted index finds only tensors with the shape asked
// for and one float per element; a tensor it finds is one the shards hold.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "model/safetensors_writer.h"
#include "model/weight_storage.h"

namespace model = rerankd::model;
using rerankd::fuzz::fail;

namespace {

model::TensorBlob blob(std::string name, std::string dtype, std::vector<std::int64_t> shape,
                       std::size_t itemsize) {
  std::size_t numel = 1;
  for (const auto d : shape) numel *= static_cast<std::size_t>(d);
  // Small finite values in every dtype: 0x3C00 is 1.0 in F16, 0x3F80 in BF16; F32 0x3F800000.
  std::vector<std::byte> data(numel * itemsize, std::byte{0});
  for (std::size_t i = 0; i < numel; ++i) {
    data[i * itemsize + itemsize - 1] = std::byte{0x3C};
  }
  return {std::move(name), std::move(dtype), std::move(shape), std::move(data)};
}

struct Shards {
  std::vector<model::TensorSpec> specs;
  Shards() {
    const auto& dir = rerankd::fuzz::scratch_dir();
    const auto a = blob("bert.embeddings.word_embeddings.weight", "F32", {4, 2}, 4);
    const auto b = blob("classifier.bias", "F16", {1}, 2);
    const auto c = blob("bert.encoder.layer.0.output.LayerNorm.gamma", "BF16", {2}, 2);
    auto status = model::write_safetensors(dir / "model-00001-of-00002.safetensors", {&a, &b});
    if (status.ok()) {
      status = model::write_safetensors(dir / "model-00002-of-00002.safetensors", {&c});
    }
    if (!status.ok()) fail("writing the shards", status.to_string());
    specs.push_back({"embeddings.word_embeddings.weight", {4, 2}, model::TensorRole::kEmbedding});
    specs.push_back({"classifier.bias", {1}, model::TensorRole::kBias, false});
    specs.push_back(
        {"encoder.layer.0.output.LayerNorm.weight", {2}, model::TensorRole::kNormGamma});
    // Asked for with a shape the shard does not have: must be refused, never read.
    specs.push_back({"classifier.bias", {3}, model::TensorRole::kBias, false});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Shards shards;
  const auto& dir = rerankd::fuzz::scratch_dir();
  rerankd::fuzz::write_file(dir / model::kIndexFileName,
                            std::string_view(reinterpret_cast<const char*>(data), size));
  auto storage = model::WeightStorage::open(dir);
  if (!storage.ok()) return 0;
  for (const model::TensorSpec& spec : shards.specs) {
    auto tensor = (*storage)->tensor(spec);
    if (!tensor.ok()) continue;
    if (tensor->shape != spec.shape) fail("a tensor of another shape", spec.name);
    if (tensor->data.size() != static_cast<std::size_t>(tensor->numel())) {
      fail("tensor data does not match its shape", spec.name);
    }
  }
  (void)(*storage)->description();
  return 0;
}
