// A byte trie over a model's pieces for Unigram's common-prefix search: from a start position,
// every piece that is a prefix of the rest of the text, shortest first, one hash probe per byte.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace rerankd::text {

// Immutable after construction; thread-safe.
class PieceTrie {
 public:
  static constexpr std::int32_t kNone = -1;

  // Adds `piece` with `id`; a repeated piece keeps the later id.
  void insert(std::string_view piece, std::int32_t id);

  // Calls on_match(std::size_t length, std::int32_t id) for every piece that prefixes `text`,
  // in increasing length.
  template <typename OnMatch>
  void for_each_prefix(std::string_view text, OnMatch&& on_match) const {
    std::uint32_t node = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      node = child(node, static_cast<unsigned char>(text[i]));
      if (node == kNoNode) return;
      const std::int32_t id = piece_[node];
      if (id != kNone) on_match(i + 1, id);
    }
  }

  std::size_t node_count() const { return piece_.size(); }

 private:
  static constexpr std::uint32_t kNoNode = 0xFFFFFFFFu;
  struct Slot {
    std::uint64_t key = kEmpty;  // parent node << 8 | byte
    std::uint32_t child = kNoNode;
  };
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

  std::uint32_t child(std::uint32_t node, unsigned char byte) const {
    if (node == 0) return root_[byte];
    const std::uint64_t key = (std::uint64_t{node} << 8) | byte;
    for (std::size_t slot = hash(key) & mask_;; slot = (slot + 1) & mask_) {
      const Slot& s = slots_[slot];
      if (s.key == key) return s.child;
      if (s.key == kEmpty) return kNoNode;
    }
  }
  static std::size_t hash(std::uint64_t key) {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 20);
  }
  std::uint32_t add_child(std::uint32_t node, unsigned char byte);
  void grow();

  std::vector<std::int32_t> piece_ = {kNone};  // per node; node 0 is the root
  std::array<std::uint32_t, 256> root_ = filled_root();
  std::vector<Slot> slots_ = std::vector<Slot>(1024);
  std::size_t mask_ = 1023;
  std::size_t used_ = 0;

  static std::array<std::uint32_t, 256> filled_root() {
    std::array<std::uint32_t, 256> root;
    root.fill(kNoNode);
    return root;
  }
};

}  // namespace rerankd::text
