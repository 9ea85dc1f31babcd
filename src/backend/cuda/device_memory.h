// Owning handles for device memory (cudaMalloc) and pinned host memory (cudaMallocHost). Both
// grow only: a backend reserves the largest batch it has seen and reuses it, so the hot path
// allocates nothing once warm. One class serves both; only the allocator differs.
#pragma once

#include <cstddef>

#include "common/result.h"

namespace rerankd::backend::cuda {

// Where a GrowOnlyBuffer's memory comes from (defined in device_memory.cc).
enum class MemoryKind { kDevice, kPinnedHost };

template <MemoryKind kKind>
class GrowOnlyBuffer {
 public:
  GrowOnlyBuffer() = default;
  GrowOnlyBuffer(GrowOnlyBuffer&& other) noexcept;
  GrowOnlyBuffer& operator=(GrowOnlyBuffer&& other) noexcept;
  GrowOnlyBuffer(const GrowOnlyBuffer&) = delete;
  GrowOnlyBuffer& operator=(const GrowOnlyBuffer&) = delete;
  ~GrowOnlyBuffer();

  // Ensures at least `bytes` (contents are not kept when it grows). ResourceExhausted naming
  // the size when the allocation fails.
  Status reserve(std::size_t bytes);
  void* data() const { return data_; }
  std::size_t capacity() const { return capacity_; }

 private:
  void release();

  void* data_ = nullptr;
  std::size_t capacity_ = 0;
};

using DeviceBuffer = GrowOnlyBuffer<MemoryKind::kDevice>;
using PinnedBuffer = GrowOnlyBuffer<MemoryKind::kPinnedHost>;

extern template class GrowOnlyBuffer<MemoryKind::kDevice>;
extern template class GrowOnlyBuffer<MemoryKind::kPinnedHost>;

}  // namespace rerankd::backend::cuda
