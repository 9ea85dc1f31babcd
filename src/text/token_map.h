// An open-addressing hash map from token text to id, looked up by string_view without building a
// std::string (the WordPiece inner loop does one lookup per candidate sub-word).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rerankd::text {

class TokenMap {
 public:
  static constexpr std::int32_t kMissing = -1;

  // Adds or replaces `key` (a later insert of the same key wins, like Rust's HashMap::insert).
  void insert(std::string_view key, std::int32_t id);
  std::int32_t find(std::string_view key) const;

  std::size_t size() const { return size_; }
  // Longest key in bytes: no candidate longer than this can match.
  std::size_t max_key_size() const { return max_key_size_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t offset = 0;  // into arena_
    std::uint32_t length = 0;
    std::int32_t id = kMissing;  // kMissing marks an empty slot
  };

  static std::uint64_t hash_of(std::string_view key);
  void grow();

  std::vector<Slot> slots_;  // size is a power of two, at most half full
  std::string arena_;        // all keys, back to back
  std::size_t size_ = 0;
  std::size_t max_key_size_ = 0;
};

}  // namespace rerankd::text
