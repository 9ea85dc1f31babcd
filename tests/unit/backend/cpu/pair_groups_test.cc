#include "backend/cpu/pair_groups.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

namespace rerankd::backend::cpu {
namespace {

// Pair i has lengths[i] tokens whose ids are 1000 * i + position, types position % 2.
PackedBatch batch_of(const std::vector<int>& lengths) {
  PackedBatch batch;
  for (std::size_t pair = 0; pair < lengths.size(); ++pair) {
    std::vector<std::int32_t> ids, types;
    for (int i = 0; i < lengths[pair]; ++i) {
      ids.push_back(static_cast<std::int32_t>(1000 * pair) + i);
      types.push_back(i % 2);
    }
    batch.add(ids, types);
  }
  return batch;
}

std::vector<std::size_t> token_counts(const std::vector<PairGroup>& groups) {
  std::vector<std::size_t> counts;
  for (const PairGroup& group : groups) counts.push_back(group.num_tokens());
  return counts;
}

// Every pair lands in exactly one group, in order, with its own tokens, positions counted from
// its group's start, and the group's longest length.
TEST(PairGroups, CoverEveryPairOnceInOrder) {
  const std::vector<int> lengths = {5, 1, 9, 3, 3, 7, 2};
  const PackedBatch batch = batch_of(lengths);
  std::vector<PairGroup> groups;
  for (std::size_t count = 1; count <= lengths.size(); ++count) {
    split_into_groups(batch, count, groups);
    ASSERT_EQ(groups.size(), count);
    std::size_t next_pair = 0;
    for (const PairGroup& group : groups) {
      ASSERT_GE(group.num_pairs(), 1u) << count << " groups";
      EXPECT_EQ(group.first_pair, next_pair) << count << " groups";
      EXPECT_EQ(group.cu_seqlens.front(), 0);
      EXPECT_EQ(static_cast<std::size_t>(group.cu_seqlens.back()), group.num_tokens());
      EXPECT_EQ(group.token_type_ids.size(), group.num_tokens());
      std::int32_t longest = 0;
      for (std::size_t i = 0; i < group.num_pairs(); ++i) {
        const std::size_t pair = group.first_pair + i;
        const std::int32_t length = group.cu_seqlens[i + 1] - group.cu_seqlens[i];
        EXPECT_EQ(length, lengths[pair]) << "pair " << pair;
        // The pair's first token is its own: id 1000 * pair, type 0.
        EXPECT_EQ(group.input_ids[static_cast<std::size_t>(group.cu_seqlens[i])],
                  static_cast<std::int32_t>(1000 * pair));
        EXPECT_EQ(group.token_type_ids[static_cast<std::size_t>(group.cu_seqlens[i])], 0);
        longest = std::max(longest, length);
      }
      EXPECT_EQ(group.max_length, longest);
      next_pair += group.num_pairs();
    }
    EXPECT_EQ(next_pair, lengths.size());
  }
}

// Boundaries sit at the pair boundary nearest an even share of the tokens.
TEST(PairGroups, BalanceTokens) {
  std::vector<PairGroup> groups;
  // 30 tokens: the halfway mark (15) falls on a boundary.
  split_into_groups(batch_of({5, 5, 5, 5, 5, 5}), 2, groups);
  EXPECT_EQ(token_counts(groups), (std::vector<std::size_t>{15, 15}));
  // 8 + 1 + 1 + 8 = 18 tokens: 9 each, not 2 pairs each.
  split_into_groups(batch_of({8, 1, 1, 8}), 2, groups);
  EXPECT_EQ(token_counts(groups), (std::vector<std::size_t>{9, 9}));
  // Thirds of 60 tokens: 20 each.
  split_into_groups(batch_of({10, 10, 20, 5, 15}), 3, groups);
  EXPECT_EQ(token_counts(groups), (std::vector<std::size_t>{20, 20, 20}));
}

// A long pair cannot be split: the others still get a pair each, and the split is the best the
// boundaries allow.
TEST(PairGroups, KeepAPairPerGroupWhenOnePairDominates) {
  std::vector<PairGroup> groups;
  split_into_groups(batch_of({100, 1, 1}), 3, groups);
  EXPECT_EQ(token_counts(groups), (std::vector<std::size_t>{100, 1, 1}));
  split_into_groups(batch_of({1, 1, 100}), 2, groups);
  EXPECT_EQ(token_counts(groups), (std::vector<std::size_t>{2, 100}));
  // Half is 52 tokens: the boundary before the long pair (3) is nearer than after it (103).
  split_into_groups(batch_of({3, 100, 1}), 2, groups);
  EXPECT_EQ(token_counts(groups), (std::vector<std::size_t>{3, 101}));
}

// Refilling keeps no trace of an earlier, larger split.
TEST(PairGroups, ReuseLeavesNoTrace) {
  std::vector<PairGroup> groups;
  split_into_groups(batch_of({4, 4, 4, 4}), 4, groups);
  split_into_groups(batch_of({3, 6}), 1, groups);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].cu_seqlens, (std::vector<std::int32_t>{0, 3, 9}));
  EXPECT_EQ(groups[0].max_length, 6);
  EXPECT_EQ(groups[0].num_tokens(), 9u);
}

// Passes of a group take consecutive pairs while they fit the budget, a longer pair alone, and
// keep the pairs' ids, their place in the whole batch and their longest length.
TEST(PairGroups, PassesFillTheTokenBudgetInOrder) {
  const std::vector<int> lengths = {4, 4, 3, 12, 1, 2, 5, 10};
  const PackedBatch batch = batch_of(lengths);
  std::vector<PairGroup> groups;
  split_into_groups(batch, 2, groups);  // pairs 0-3 (23 tokens), 4-7 (18 tokens)
  ASSERT_EQ(groups[0].num_pairs(), 4u);
  std::vector<PairGroup> passes;
  ASSERT_EQ(split_by_tokens(groups[0], 8, passes), 3u);
  EXPECT_EQ(token_counts(passes), (std::vector<std::size_t>{8, 3, 12}));
  EXPECT_EQ(passes[1].first_pair, 2u);
  EXPECT_EQ(passes[2].first_pair, 3u);
  EXPECT_EQ(passes[2].max_length, 12);
  EXPECT_EQ(passes[2].input_ids.front(), 3000);
  EXPECT_EQ(passes[1].cu_seqlens, (std::vector<std::int32_t>{0, 3}));
  // The second group's passes count their pairs in the whole batch, and a vector of more chunks
  // than needed is not shrunk: only the first `count` are this group's.
  ASSERT_EQ(split_by_tokens(groups[1], 8, passes), 2u);
  EXPECT_EQ(passes.size(), 3u);
  EXPECT_EQ(passes[0].first_pair, 4u);
  EXPECT_EQ(passes[0].num_pairs(), 3u);
  EXPECT_EQ(passes[1].first_pair, 7u);
  EXPECT_EQ(passes[1].input_ids.front(), 7000);
  // A budget past the group's tokens is one pass of all of it.
  ASSERT_EQ(split_by_tokens(groups[0], 1000, passes), 1u);
  EXPECT_EQ(passes[0].num_pairs(), 4u);
  EXPECT_EQ(passes[0].max_length, 12);
}

}  // namespace
}  // namespace rerankd::backend::cpu
