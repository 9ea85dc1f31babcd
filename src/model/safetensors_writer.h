// Writing the safetensors container the way the reference implementation does
// (huggingface/safetensors, safetensors/src/tensor.rs: serialize): the JSON header padded with
// spaces to a multiple of 8 bytes, tensor data back to back in the order given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace rerankd::model {

struct TensorBlob {
  std::string name;
  std::string dtype;  // "F32", "F16", "BF16"
  std::vector<std::int64_t> shape;
  std::vector<std::byte> data;  // little-endian, numel * itemsize bytes
};

// Writes `tensors` to `path` with "__metadata__": {"format": "pt"} (transformers refuses a
// safetensors file without it). Writes to a temporary name and renames, so a reader never sees
// a half-written file.
Status write_safetensors(const std::filesystem::path& path,
                         const std::vector<const TensorBlob*>& tensors);

}  // namespace rerankd::model
