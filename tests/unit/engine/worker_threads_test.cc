#include "engine/worker_threads.h"

#include <gtest/gtest.h>

namespace rerankd::engine {
namespace {

config::ModelConfig model(const char* backend, int threads) {
  config::ModelConfig config;
  config.backend = backend;
  config.threads = threads;
  return config;
}

TEST(ThreadsPerWorker, AllCoresAreSharedAmongTheWorkers) {
  EXPECT_EQ(threads_per_worker(model("cpu", 0), 4, 8), 2);
  EXPECT_EQ(threads_per_worker(model("cpu", 0), 1, 8), 8);
  EXPECT_EQ(threads_per_worker(model("cpu", 0), 3, 8),
            2);  // rounded down: never more than the cores
  EXPECT_EQ(threads_per_worker(model("reference", 0), 2, 16), 8);
}

TEST(ThreadsPerWorker, EveryWorkerGetsAtLeastOneThread) {
  EXPECT_EQ(threads_per_worker(model("cpu", 0), 4, 2), 1);
  EXPECT_EQ(threads_per_worker(model("cpu", 0), 4, 0), 1);  // hardware count unknown
  EXPECT_EQ(threads_per_worker(model("cpu", 0), 0, 8), 8);
}

TEST(ThreadsPerWorker, AnExplicitCountAndTheCudaBackendAreLeftAlone) {
  EXPECT_EQ(threads_per_worker(model("cpu", 6), 4, 8), 6);
  EXPECT_EQ(threads_per_worker(model("cuda", 0), 4, 8), 0);
}

}  // namespace
}  // namespace rerankd::engine
