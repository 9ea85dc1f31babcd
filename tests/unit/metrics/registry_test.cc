#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "metrics/metrics.h"

namespace rerankd::metrics {
namespace {

TEST(Registry, RendersExactPrometheusText) {
  Registry registry;
  registry.counter("rerankd_requests_total", "Requests by outcome.", labels({{"outcome", "ok"}}))
      .add(3);
  registry.counter("rerankd_requests_total", "ignored", labels({{"outcome", "error"}})).add();
  registry.gauge("rerankd_queue_pairs", "Pairs waiting.").set(-2);
  auto& h = registry.histogram("rerankd_batch_size_pairs", "Pairs per batch.", {1, 2.5, 8});
  h.observe(1);
  h.observe(3);
  h.observe(3);
  h.observe(9);
  EXPECT_EQ(registry.render(),
            "# HELP rerankd_batch_size_pairs Pairs per batch.\n"
            "# TYPE rerankd_batch_size_pairs histogram\n"
            "rerankd_batch_size_pairs_bucket{le=\"1\"} 1\n"
            "rerankd_batch_size_pairs_bucket{le=\"2.5\"} 1\n"
            "rerankd_batch_size_pairs_bucket{le=\"8\"} 3\n"
            "rerankd_batch_size_pairs_bucket{le=\"+Inf\"} 4\n"
            "rerankd_batch_size_pairs_sum 16\n"
            "rerankd_batch_size_pairs_count 4\n"
            "# HELP rerankd_queue_pairs Pairs waiting.\n"
            "# TYPE rerankd_queue_pairs gauge\n"
            "rerankd_queue_pairs -2\n"
            "# HELP rerankd_requests_total Requests by outcome.\n"
            "# TYPE rerankd_requests_total counter\n"
            "rerankd_requests_total{outcome=\"error\"} 1\n"
            "rerankd_requests_total{outcome=\"ok\"} 3\n");
}

TEST(Registry, HistogramLabelsComeBeforeLe) {
  Registry registry;
  registry.histogram("t_seconds", "Time.", {0.5}, labels({{"stage", "queue"}})).observe(0.25);
  EXPECT_EQ(registry.render(),
            "# HELP t_seconds Time.\n"
            "# TYPE t_seconds histogram\n"
            "t_seconds_bucket{stage=\"queue\",le=\"0.5\"} 1\n"
            "t_seconds_bucket{stage=\"queue\",le=\"+Inf\"} 1\n"
            "t_seconds_sum{stage=\"queue\"} 0.25\n"
            "t_seconds_count{stage=\"queue\"} 1\n");
}

TEST(Registry, HelpAndLabelValuesAreEscaped) {
  Registry registry;
  registry.counter("c", "line\none \\ two", labels({{"k", "a\"b"}, {"j", "x"}})).add(1);
  EXPECT_EQ(registry.render(),
            "# HELP c line\\none \\\\ two\n"
            "# TYPE c counter\n"
            "c{k=\"a\\\"b\",j=\"x\"} 1\n");
}

TEST(Registry, SameNameAndLabelsGiveTheSameMetric) {
  Registry registry;
  Counter& a = registry.counter("c", "help", "k=\"1\"");
  Counter& b = registry.counter("c", "help", "k=\"1\"");
  Counter& other = registry.counter("c", "help", "k=\"2\"");
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &other);
}

TEST(Registry, ConcurrentRegistrationAndUpdatesLoseNothing) {
  Registry registry;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Registration on every iteration stresses the lookup path beside the lock-free adds.
        registry.counter("hits_total", "Hits.", labels({{"parity", t % 2 == 0 ? "even" : "odd"}}))
            .add();
        registry.gauge("level", "Level.").add(t % 2 == 0 ? 1 : -1);
        if (i % 1000 == 0) (void)registry.render();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(registry.counter("hits_total", "", labels({{"parity", "even"}})).value(),
            std::uint64_t{kThreads / 2 * kPerThread});
  EXPECT_EQ(registry.counter("hits_total", "", labels({{"parity", "odd"}})).value(),
            std::uint64_t{kThreads / 2 * kPerThread});
  EXPECT_EQ(registry.gauge("level", "").value(), 0);
}

}  // namespace
}  // namespace rerankd::metrics

namespace rerankd::metrics {
namespace {

TEST(Registry, FindHistogramReturnsTheRegisteredOneOrNull) {
  Registry registry;
  Histogram& sizes = registry.histogram("batch_size", "Pairs per batch.", {1, 8}, "");
  sizes.observe(4);
  const Histogram* found = registry.find_histogram("batch_size");
  ASSERT_EQ(found, &sizes);
  EXPECT_EQ(found->count(), 1u);
  EXPECT_EQ(registry.find_histogram("batch_size", R"(route="/x")"), nullptr);
  EXPECT_EQ(registry.find_histogram("missing"), nullptr);
}

}  // namespace
}  // namespace rerankd::metrics
