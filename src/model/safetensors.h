// Reading the safetensors container: an 8-byte little-endian header length N, N bytes of JSON
// {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__"?: {...}}, then the
// tensor data, offsets relative to its start. The format is Hugging Face's
// (huggingface/safetensors, safetensors/src/tensor.rs); this is our own reader of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rerankd::model {

struct SafetensorsEntry {
  std::string dtype;  // as written: "F32", "F16", "BF16", "I64", ...
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;  // byte offsets into the data section
  std::uint64_t end = 0;
};

struct SafetensorsHeader {
  std::map<std::string, SafetensorsEntry, std::less<>> tensors;
  std::map<std::string, std::string, std::less<>> metadata;  // "__metadata__"
  std::uint64_t data_start = 0;  // file offset of the data section (8 + N)
};

// Bytes per element of a safetensors dtype name; 0 when the name is unknown.
std::size_t safetensors_dtype_size(std::string_view dtype);

// Parses and validates the header of a whole safetensors file held in `bytes`. `file` names
// the file in errors. Checks: the file holds the length and the header, the header is a JSON
// object of well-formed entries, every data_offsets range lies in the file, no two ranges
// overlap, and each range is numel * itemsize bytes long. Returns DataLoss on corruption.
Result<SafetensorsHeader> parse_safetensors(std::span<const std::byte> bytes,
                                            std::string_view file);

}  // namespace rerankd::model
