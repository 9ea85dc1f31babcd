#include "backend/cuda/device_memory.h"

#include <cuda_runtime_api.h>

#include <string>
#include <utility>

#include "backend/cuda/cuda_status.h"

namespace rerankd::backend::cuda {
namespace {

cudaError_t allocate(MemoryKind kind, void** data, std::size_t bytes) {
  return kind == MemoryKind::kDevice ? cudaMalloc(data, bytes) : cudaMallocHost(data, bytes);
}

// The error is dropped: a destructor cannot report it, and after a sticky device error every
// call fails anyway.
void free_memory(MemoryKind kind, void* data) {
  if (kind == MemoryKind::kDevice) {
    cudaFree(data);
  } else {
    cudaFreeHost(data);
  }
}

const char* allocator_name(MemoryKind kind) {
  return kind == MemoryKind::kDevice ? "cudaMalloc" : "cudaMallocHost";
}

}  // namespace

template <MemoryKind kKind>
GrowOnlyBuffer<kKind>::GrowOnlyBuffer(GrowOnlyBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), capacity_(std::exchange(other.capacity_, 0)) {}

template <MemoryKind kKind>
GrowOnlyBuffer<kKind>& GrowOnlyBuffer<kKind>::operator=(GrowOnlyBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

template <MemoryKind kKind>
GrowOnlyBuffer<kKind>::~GrowOnlyBuffer() {
  release();
}

template <MemoryKind kKind>
void GrowOnlyBuffer<kKind>::release() {
  if (data_ != nullptr) free_memory(kKind, data_);
  data_ = nullptr;
  capacity_ = 0;
}

template <MemoryKind kKind>
Status GrowOnlyBuffer<kKind>::reserve(std::size_t bytes) {
  if (bytes <= capacity_) return Status::ok_status();
  release();  // first, so the old and new blocks never need to fit together
  void* data = nullptr;
  RERANKD_CUDA_RETURN_IF_ERROR(
      allocate(kKind, &data, bytes),
      std::string(allocator_name(kKind)) + " of " + std::to_string(bytes) + " bytes");
  data_ = data;
  capacity_ = bytes;
  return Status::ok_status();
}

template class GrowOnlyBuffer<MemoryKind::kDevice>;
template class GrowOnlyBuffer<MemoryKind::kPinnedHost>;

}  // namespace rerankd::backend::cuda
