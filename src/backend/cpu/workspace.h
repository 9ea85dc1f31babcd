// The backend's arena: one aligned block carved into the activation buffers of a batch, grown
// when a bigger batch arrives and reused by every later batch, so a warmed backend allocates
// no activation memory.
#pragma once

#include <cstddef>
#include <memory>

namespace rerankd::backend::cpu {

// Not thread-safe: owned by one backend, used by its thread.
class Workspace {
 public:
  // Start of at least `bytes` bytes, aligned to kAlignment. Reallocates (losing the contents)
  // only when bytes exceeds the capacity, then with headroom so slowly growing batches do not
  // reallocate every time.
  std::byte* reserve(std::size_t bytes);
  std::size_t capacity() const { return capacity_; }

  static constexpr std::size_t kAlignment = 64;  // a cache line, and a whole AVX-512 vector

  // Bytes of `count` floats rounded up to kAlignment, so consecutive slices stay aligned.
  static std::size_t aligned_floats(std::size_t count) {
    const std::size_t bytes = count * sizeof(float);
    return (bytes + kAlignment - 1) / kAlignment * kAlignment;
  }

 private:
  struct Free {
    void operator()(std::byte* data) const;
  };
  std::unique_ptr<std::byte, Free> data_;
  std::size_t capacity_ = 0;
};

}  // namespace rerankd::backend::cpu
