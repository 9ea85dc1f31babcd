#include "backend/cpu/pair_groups.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>

namespace rerankd::backend::cpu {
namespace {

// The pair index in [lowest, highest] whose start token is nearest `target` tokens.
std::size_t nearest_boundary(std::span<const std::int32_t> cu_seqlens, std::int64_t target,
                             std::size_t lowest, std::size_t highest) {
  const auto first = cu_seqlens.begin();
  auto at = std::lower_bound(first + static_cast<std::ptrdiff_t>(lowest),
                             first + static_cast<std::ptrdiff_t>(highest), target);
  auto best = static_cast<std::size_t>(at - first);
  if (best > lowest && target - cu_seqlens[best - 1] < cu_seqlens[best] - target) --best;
  return best;
}

void fill_group(const PackedBatch& batch, std::size_t begin, std::size_t end, PairGroup& group) {
  const auto first_token = static_cast<std::size_t>(batch.cu_seqlens[begin]);
  const auto tokens = static_cast<std::size_t>(batch.cu_seqlens[end]) - first_token;
  group.first_pair = begin;
  group.input_ids = std::span(batch.input_ids).subspan(first_token, tokens);
  group.token_type_ids = std::span(batch.token_type_ids).subspan(first_token, tokens);
  group.cu_seqlens.assign(1, 0);
  group.max_length = 0;
  for (std::size_t pair = begin; pair < end; ++pair) {
    group.cu_seqlens.push_back(batch.cu_seqlens[pair + 1] - static_cast<std::int32_t>(first_token));
    group.max_length = std::max(group.max_length, batch.length(pair));
  }
}

}  // namespace

void split_into_groups(const PackedBatch& batch, std::size_t count,
                       std::vector<PairGroup>& groups) {
  const std::size_t pairs = batch.num_pairs();
  assert(count >= 1 && count <= pairs);
  groups.resize(count);
  const auto tokens = static_cast<std::int64_t>(batch.num_tokens());
  std::size_t begin = 0;
  for (std::size_t g = 0; g < count; ++g) {
    std::size_t end = pairs;
    if (g + 1 < count) {
      const std::int64_t target =
          tokens * static_cast<std::int64_t>(g + 1) / static_cast<std::int64_t>(count);
      // At least one pair here and one for each group after.
      end = nearest_boundary(batch.cu_seqlens, target, begin + 1, pairs - (count - g - 1));
    }
    fill_group(batch, begin, end, groups[g]);
    begin = end;
  }
}

}  // namespace rerankd::backend::cpu
