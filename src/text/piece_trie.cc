#include "text/piece_trie.h"

namespace rerankd::text {

std::uint32_t PieceTrie::add_child(std::uint32_t node, unsigned char byte) {
  const auto created = static_cast<std::uint32_t>(piece_.size());
  piece_.push_back(kNone);
  if (node == 0) {
    root_[byte] = created;
    return created;
  }
  if (2 * (used_ + 1) > slots_.size()) grow();
  const std::uint64_t key = (std::uint64_t{node} << 8) | byte;
  std::size_t slot = hash(key) & mask_;
  while (slots_[slot].key != kEmpty) slot = (slot + 1) & mask_;
  slots_[slot] = {key, created};
  ++used_;
  return created;
}

void PieceTrie::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  mask_ = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.key == kEmpty) continue;
    std::size_t slot = hash(s.key) & mask_;
    while (slots_[slot].key != kEmpty) slot = (slot + 1) & mask_;
    slots_[slot] = s;
  }
}

void PieceTrie::insert(std::string_view piece, std::int32_t id) {
  if (piece.empty()) return;
  std::uint32_t node = 0;
  for (const char c : piece) {
    const auto byte = static_cast<unsigned char>(c);
    const std::uint32_t next = child(node, byte);
    node = next != kNoNode ? next : add_child(node, byte);
  }
  piece_[node] = id;
}

}  // namespace rerankd::text
