// Fuzzes the safetensors reader: parse_safetensors on the input as a whole file held in memory
// (as WeightStorage hands it a mapped file); an accepted file is then written to a scratch model
// directory and each tensor read through WeightStorage::tensor, as the model loader does
// (F32 in place or copied, F16/BF16 converted, other dtypes refused).
//
// Invariants of an accepted file (abort on violation): the data section starts inside the file;
// every tensor has non-negative dimensions and a range [begin, end) inside the data section,
// whose length is numel * itemsize when the dtype is known (the parser leaves unknown dtypes to
// the loader, which refuses them); no two non-empty ranges overlap.
#include "model/safetensors.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_support.h"
#include "model/weight_storage.h"

namespace model = rerankd::model;
using rerankd::fuzz::fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  auto header = model::parse_safetensors(bytes, "model.safetensors");
  if (!header.ok()) return 0;
  if (header->data_start < 8 || header->data_start > size) {
    fail("data section outside the file", std::to_string(header->data_start));
  }
  const std::uint64_t data_size = size - header->data_start;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const auto& [name, entry] : header->tensors) {
    const std::size_t itemsize = model::safetensors_dtype_size(entry.dtype);
    // numel * itemsize in 64 bits; `huge` when it does not fit (an empty dimension makes the
    // product 0 whatever the others are).
    std::uint64_t numel = 1;
    bool huge = false;
    bool empty = false;
    for (const std::int64_t dim : entry.shape) {
      if (dim < 0) fail("negative dimension accepted", name);
      if (dim == 0) empty = true;
      if (__builtin_mul_overflow(numel, static_cast<std::uint64_t>(dim), &numel)) huge = true;
    }
    std::uint64_t bytes_needed = 0;
    if (empty) {
      numel = 0;
      huge = false;
    } else if (!huge) {
      huge = __builtin_mul_overflow(numel, static_cast<std::uint64_t>(itemsize), &bytes_needed);
    }
    if (entry.begin > entry.end || entry.end > data_size) {
      fail("range outside the data section", name);
    }
    if (itemsize != 0 && (huge || entry.end - entry.begin != bytes_needed)) {
      fail("range length is not numel * itemsize", name);
    }
    // Every byte of an accepted range can be read (ASan checks the copy).
    const std::byte* first = bytes.data() + header->data_start + entry.begin;
    const std::vector<std::byte> copy(first, first + (entry.end - entry.begin));
    if (copy.size() != entry.end - entry.begin) fail("copying a range");
    ranges.emplace_back(entry.begin, entry.end);
  }
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    // Empty tensors take no bytes and may share an offset.
    if (ranges[i].first < ranges[i - 1].second && ranges[i].first != ranges[i].second) {
      fail("overlapping ranges accepted");
    }
  }

  const auto& dir = rerankd::fuzz::scratch_dir();
  rerankd::fuzz::write_file(dir / model::kSingleFileName,
                            std::string_view(reinterpret_cast<const char*>(data), size));
  auto storage = model::WeightStorage::open(dir);
  if (!storage.ok()) fail("WeightStorage refused a file parse_safetensors accepted");
  for (const auto& [name, entry] : header->tensors) {
    model::TensorSpec spec;
    spec.name = name;
    spec.shape = entry.shape;
    spec.role = model::TensorRole::kLinearWeight;
    spec.in_encoder = false;
    auto tensor = (*storage)->tensor(spec);
    if (tensor.ok() && tensor->data.size() != static_cast<std::size_t>(tensor->numel())) {
      fail("tensor data does not match its shape", name);
    }
  }
  (void)(*storage)->description();
  return 0;
}
