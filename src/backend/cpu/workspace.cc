#include "backend/cpu/workspace.h"

#include <algorithm>
#include <new>

namespace rerankd::backend::cpu {

void Workspace::Free::operator()(std::byte* data) const {
  ::operator delete (data, std::align_val_t{kAlignment});
}

std::byte* Workspace::reserve(std::size_t bytes) {
  if (bytes > capacity_) {
    const std::size_t grown = std::max(bytes, capacity_ + capacity_ / 2);
    data_.reset();  // free first: the old contents are not needed and peak memory stays lower
    capacity_ = 0;
    data_.reset(static_cast<std::byte*>(::operator new (grown, std::align_val_t{kAlignment})));
    capacity_ = grown;
  }
  return data_.get();
}

}  // namespace rerankd::backend::cpu
