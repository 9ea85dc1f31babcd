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

// Pairs [begin, end) of the pairs that `cu_seqlens` bounds in these tokens, into `group`;
// `first_pair` is where pair 0 of them sits in the whole batch.
void fill_group(std::span<const std::int32_t> input_ids,
                std::span<const std::int32_t> token_type_ids,
                std::span<const std::int32_t> cu_seqlens, std::size_t first_pair, std::size_t begin,
                std::size_t end, PairGroup& group) {
  const auto first_token = static_cast<std::size_t>(cu_seqlens[begin]);
  const auto tokens = static_cast<std::size_t>(cu_seqlens[end]) - first_token;
  group.first_pair = first_pair + begin;
  group.input_ids = input_ids.subspan(first_token, tokens);
  group.token_type_ids = token_type_ids.subspan(first_token, tokens);
  group.cu_seqlens.assign(1, 0);
  group.max_length = 0;
  for (std::size_t pair = begin; pair < end; ++pair) {
    group.cu_seqlens.push_back(cu_seqlens[pair + 1] - static_cast<std::int32_t>(first_token));
    group.max_length = std::max(group.max_length, cu_seqlens[pair + 1] - cu_seqlens[pair]);
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
    fill_group(batch.input_ids, batch.token_type_ids, batch.cu_seqlens, 0, begin, end, groups[g]);
    begin = end;
  }
}

std::size_t split_by_tokens(const PairGroup& group, std::size_t max_tokens,
                            std::vector<PairGroup>& chunks) {
  const std::span<const std::int32_t> cu_seqlens = group.cu_seqlens;
  const std::size_t pairs = group.num_pairs();
  std::size_t count = 0;
  for (std::size_t begin = 0; begin < pairs; ++count) {
    std::size_t end = begin + 1;
    while (end < pairs &&
           static_cast<std::size_t>(cu_seqlens[end + 1] - cu_seqlens[begin]) <= max_tokens) {
      ++end;
    }
    if (count == chunks.size()) chunks.emplace_back();
    fill_group(group.input_ids, group.token_type_ids, cu_seqlens, group.first_pair, begin, end,
               chunks[count]);
    begin = end;
  }
  return count;
}

}  // namespace rerankd::backend::cpu
