#include "backend/cuda/device_memory.h"

#include <cuda_runtime_api.h>

#include <string>
#include <utility>

#include "backend/cuda/cuda_status.h"

namespace rerankd::backend::cuda {

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), capacity_(std::exchange(other.capacity_, 0)) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) cudaFree(data_);
    data_ = std::exchange(other.data_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

// cudaFree's error is dropped: a destructor cannot report it, and after a sticky device error
// every call fails anyway.
DeviceBuffer::~DeviceBuffer() {
  if (data_ != nullptr) cudaFree(data_);
}

Status DeviceBuffer::reserve(std::size_t bytes) {
  if (bytes <= capacity_) return Status::ok_status();
  // Free first so the old and new blocks never need to fit together.
  if (data_ != nullptr) cudaFree(data_);
  data_ = nullptr;
  capacity_ = 0;
  void* data = nullptr;
  RERANKD_CUDA_RETURN_IF_ERROR(cudaMalloc(&data, bytes),
                               "cudaMalloc of " + std::to_string(bytes) + " bytes");
  data_ = data;
  capacity_ = bytes;
  return Status::ok_status();
}

PinnedBuffer::PinnedBuffer(PinnedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), capacity_(std::exchange(other.capacity_, 0)) {}

PinnedBuffer& PinnedBuffer::operator=(PinnedBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) cudaFreeHost(data_);
    data_ = std::exchange(other.data_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

PinnedBuffer::~PinnedBuffer() {
  if (data_ != nullptr) cudaFreeHost(data_);
}

Status PinnedBuffer::reserve(std::size_t bytes) {
  if (bytes <= capacity_) return Status::ok_status();
  if (data_ != nullptr) cudaFreeHost(data_);
  data_ = nullptr;
  capacity_ = 0;
  void* data = nullptr;
  RERANKD_CUDA_RETURN_IF_ERROR(cudaMallocHost(&data, bytes),
                               "cudaMallocHost of " + std::to_string(bytes) + " bytes");
  data_ = data;
  capacity_ = bytes;
  return Status::ok_status();
}

}  // namespace rerankd::backend::cuda
