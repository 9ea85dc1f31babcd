#include "bench/sweep.h"

#include <gtest/gtest.h>

namespace rerankd::bench {
namespace {

Experiment two_axes() {
  Experiment experiment;
  experiment.name = "grid";
  experiment.sweep = {{"batching.max_batch_size", {"8", "16", "32"}}, {"load.clients", {"1", "4"}}};
  experiment.links = {{"workload.documents", "batching.max_batch_size"}};
  return experiment;
}

TEST(Sweep, FirstAxisOutermostEveryCombinationOnce) {
  const auto grid = expand_grid(two_axes());
  ASSERT_TRUE(grid.ok()) << grid.status().to_string();
  ASSERT_EQ(grid->size(), 6u);
  const std::vector<std::pair<std::string, std::string>> expected[] = {
      {{"batching.max_batch_size", "8"}, {"load.clients", "1"}},
      {{"batching.max_batch_size", "8"}, {"load.clients", "4"}},
      {{"batching.max_batch_size", "16"}, {"load.clients", "1"}},
      {{"batching.max_batch_size", "16"}, {"load.clients", "4"}},
      {{"batching.max_batch_size", "32"}, {"load.clients", "1"}},
      {{"batching.max_batch_size", "32"}, {"load.clients", "4"}}};
  for (std::size_t i = 0; i < grid->size(); ++i) EXPECT_EQ((*grid)[i].params, expected[i]);
}

TEST(Sweep, SettingsCarryParamsAndLinks) {
  const auto grid = expand_grid(two_axes());
  ASSERT_TRUE(grid.ok());
  const RunSettings& last = grid->back().settings;
  EXPECT_EQ(last.config.batching.max_batch_size, 32);
  EXPECT_EQ(last.load.clients, 4);
  EXPECT_EQ(last.workload.documents, 32);  // linked to the batch size
}

TEST(Sweep, NoAxesIsOnePointOfTheBase) {
  Experiment experiment;
  experiment.base.load.clients = 5;
  const auto grid = expand_grid(experiment);
  ASSERT_TRUE(grid.ok());
  ASSERT_EQ(grid->size(), 1u);
  EXPECT_TRUE((*grid)[0].params.empty());
  EXPECT_EQ((*grid)[0].settings.load.clients, 5);
}

TEST(Sweep, AnInvalidCombinationNamesThePoint) {
  Experiment experiment;
  // max_batch_tokens below max_length (set: the default 0 is the model's limit, which only the
  // serving engine knows) is invalid only at the second value.
  experiment.base.config.model.max_length = 512;
  experiment.sweep = {{"batching.max_batch_tokens", {"16384", "100"}}};
  const auto grid = expand_grid(experiment);
  ASSERT_FALSE(grid.ok());
  EXPECT_NE(grid.status().message().find("batching.max_batch_tokens=100"), std::string::npos)
      << grid.status().message();
}

}  // namespace
}  // namespace rerankd::bench
