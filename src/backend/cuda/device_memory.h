// Owning handles for device memory (cudaMalloc) and pinned host memory (cudaMallocHost). Both
// grow only: a backend reserves the largest batch it has seen and reuses it, so the hot path
// allocates nothing once warm.
#pragma once

#include <cstddef>

#include "common/result.h"

namespace rerankd::backend::cuda {

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer();

  // Ensures at least `bytes` (contents are not kept when it grows). ResourceExhausted naming
  // the size when the device is out of memory.
  Status reserve(std::size_t bytes);
  void* data() const { return data_; }
  std::size_t capacity() const { return capacity_; }

 private:
  void* data_ = nullptr;
  std::size_t capacity_ = 0;
};

class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(PinnedBuffer&& other) noexcept;
  PinnedBuffer& operator=(PinnedBuffer&& other) noexcept;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer();

  Status reserve(std::size_t bytes);
  void* data() const { return data_; }
  std::size_t capacity() const { return capacity_; }

 private:
  void* data_ = nullptr;
  std::size_t capacity_ = 0;
};

}  // namespace rerankd::backend::cuda
