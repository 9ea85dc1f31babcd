#include "text/token_map.h"

#include <cstring>
#include <utility>

namespace rerankd::text {

std::uint64_t TokenMap::hash_of(std::string_view key) {
  // Eight bytes per step with a multiply-xorshift mix: tokens are short and this runs for every
  // candidate sub-word, so it must be cheaper than byte-at-a-time FNV.
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;
  std::uint64_t h = key.size() * kMul;
  const char* p = key.data();
  std::size_t n = key.size();
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  h *= kMul;
  return h ^ (h >> 32);
}

void TokenMap::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.id == kMissing) continue;
    std::size_t i = slot.hash & mask;
    while (slots_[i].id != kMissing) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

void TokenMap::insert(std::string_view key, std::int32_t id) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const std::uint64_t hash = hash_of(key);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash & mask;
  while (slots_[i].id != kMissing) {
    Slot& slot = slots_[i];
    if (slot.hash == hash && slot.length == key.size() &&
        std::memcmp(arena_.data() + slot.offset, key.data(), key.size()) == 0) {
      slot.id = id;
      return;
    }
    i = (i + 1) & mask;
  }
  slots_[i] = Slot{hash, static_cast<std::uint32_t>(arena_.size()),
                   static_cast<std::uint32_t>(key.size()), id};
  arena_.append(key);
  ++size_;
  if (key.size() > max_key_size_) max_key_size_ = key.size();
}

std::int32_t TokenMap::find(std::string_view key) const {
  if (slots_.empty()) return kMissing;
  const std::uint64_t hash = hash_of(key);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.id == kMissing) return kMissing;
    if (slot.hash == hash && slot.length == key.size() &&
        std::memcmp(arena_.data() + slot.offset, key.data(), key.size()) == 0) {
      return slot.id;
    }
  }
}

}  // namespace rerankd::text
