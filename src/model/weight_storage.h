// Owns the memory behind a loaded checkpoint: the memory-mapped safetensors files (F32 tensors
// are used in place) and the fp32 buffers converted from F16/BF16. Finds tensors by name with or
// without the "bert." prefix, in one file or in the shards an index lists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/file.h"
#include "common/result.h"
#include "model/bert_tensor_specs.h"
#include "model/safetensors.h"
#include "model/tensor.h"

namespace rerankd::model {

inline constexpr const char* kSingleFileName = "model.safetensors";
inline constexpr const char* kIndexFileName = "model.safetensors.index.json";

// Not thread-safe while loading; the tensors it hands out are immutable and outlive nothing but
// the storage itself.
class WeightStorage {
 public:
  // Opens <dir>/model.safetensors, else the shards named by <dir>/model.safetensors.index.json
  // (the order transformers tries them in). Headers are parsed and validated here.
  static Result<std::unique_ptr<WeightStorage>> open(const std::filesystem::path& dir);

  // The fp32 view of the tensor `spec` describes, checked against spec.shape. Tries the
  // checkpoint names "bert.<name>" and "<name>" (and the legacy LayerNorm gamma/beta).
  Result<Tensor> tensor(const TensorSpec& spec);

  // One more than the highest N of the checkpoint's "encoder.layer.N." tensors: the number of
  // encoder layers it can hold (0 when none).
  std::int64_t encoder_layer_count() const;

  // A name for the checkpoint in errors: the file, or the index of a sharded one.
  std::string checkpoint_name() const;

  // e.g. "model.safetensors (F32, 1 file, 105 tensors, 22.7M parameters)", over the tensors
  // handed out so far.
  std::string description() const;

 private:
  struct Shard {
    MappedFile file;
    SafetensorsHeader header;
  };
  struct Location {
    std::size_t shard = 0;
    std::string name;  // the name as it appears in the checkpoint
  };

  WeightStorage() = default;
  Status open_single(const std::filesystem::path& path);
  Status open_sharded(const std::filesystem::path& dir, const std::filesystem::path& index_path);
  Result<std::size_t> add_shard(const std::filesystem::path& path);
  Result<Location> find(const TensorSpec& spec) const;

  std::string source_name_;  // the file the description names
  std::vector<Shard> shards_;
  std::map<std::string, std::size_t, std::less<>> shard_of_;  // checkpoint name -> shard
  std::vector<std::vector<float>> converted_;  // moving a vector keeps its buffer in place
  std::set<std::string> dtypes_used_;
  std::size_t tensors_used_ = 0;
  std::int64_t parameters_used_ = 0;
};

}  // namespace rerankd::model
