// A read-only fp32 tensor view: shape plus contiguous row-major data owned elsewhere
// (a memory map or a buffer converted from F16/BF16 at load).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace rerankd::model {

struct Tensor {
  std::vector<std::int64_t> shape;
  std::span<const float> data;

  std::int64_t dim(std::size_t i) const { return shape.at(i); }
  std::int64_t numel() const {
    std::int64_t n = 1;
    for (const auto d : shape) n *= d;
    return n;
  }
};

// "[384, 1536]"
std::string shape_to_string(const std::vector<std::int64_t>& shape);

}  // namespace rerankd::model
