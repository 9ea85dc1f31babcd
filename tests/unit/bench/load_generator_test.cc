#include "bench/load_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "bench/arrivals.h"
#include "bench/stats.h"

namespace rerankd::bench {
namespace {

using namespace std::chrono_literals;

// A deterministic stand-in for an engine: answers at once (or after `delay`), fails requests
// whose first document is "fail:<type>", and can hold each call until `gate` calls are in
// flight together (once), which proves the clients really run concurrently.
class FakeTarget final : public Target {
 public:
  int gate = 0;
  std::chrono::microseconds delay{0};
  bool refuse_sessions = false;

  class FakeSession final : public Session {
   public:
    explicit FakeSession(FakeTarget& target) : target_(target) {}
    CallOutcome call(const BenchRequest& request) override {
      if (first_) target_.record_first(request.query);
      first_ = false;
      target_.enter();
      if (target_.delay.count() > 0) std::this_thread::sleep_for(target_.delay);
      target_.leave();
      CallOutcome outcome;
      const std::string& first = request.documents.at(0);
      if (first.rfind("fail:", 0) == 0) {
        outcome.error_type = first.substr(5);
        return outcome;
      }
      outcome.ok = true;
      outcome.pairs = request.documents.size();
      return outcome;
    }

   private:
    FakeTarget& target_;
    bool first_ = true;
  };

  void expect_sessions(int sessions) override {
    std::lock_guard lock(mutex_);
    expected_sessions = sessions;
    sessions_open_when_told = sessions_opened;
  }
  Result<std::unique_ptr<Session>> open_session() override {
    if (refuse_sessions) return Status(StatusCode::kUnavailable, "no sessions today");
    std::lock_guard lock(mutex_);
    ++sessions_opened;
    return std::unique_ptr<Session>(std::make_unique<FakeSession>(*this));
  }
  std::string describe() const override { return "fake"; }
  double mean_batch_size() override { return resets > 0 ? 7.0 : 0.0; }
  void reset_batch_stats() override { ++resets; }

  void enter() {
    std::unique_lock lock(mutex_);
    max_in_flight = std::max(max_in_flight, ++in_flight);
    if (gate > 0 && max_in_flight >= gate) gate_open_ = true;
    changed_.notify_all();
    // The timeout only keeps a broken generator from hanging the test.
    changed_.wait_for(lock, 5s, [&] { return gate == 0 || gate_open_; });
  }
  void record_first(const std::string& query) {
    std::lock_guard lock(mutex_);
    first_queries.insert(query);
  }
  void leave() {
    std::lock_guard lock(mutex_);
    --in_flight;
  }

  int sessions_opened = 0;
  int expected_sessions = 0;  // what expect_sessions was told
  int sessions_open_when_told = -1;
  std::set<std::string> first_queries;  // each session's first request
  int resets = 0;
  int in_flight = 0;
  int max_in_flight = 0;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool gate_open_ = false;
};

std::vector<BenchRequest> workload(int requests, int documents = 3) {
  std::vector<BenchRequest> out;
  for (int r = 0; r < requests; ++r) {
    BenchRequest request{"query " + std::to_string(r), {}};
    for (int d = 0; d < documents; ++d) request.documents.push_back("doc " + std::to_string(d));
    out.push_back(request);
  }
  return out;
}

LoadSpec count_spec(std::string mode, int clients, int requests) {
  LoadSpec spec;
  spec.mode = std::move(mode);
  spec.clients = clients;
  spec.warmup_s = 0;
  spec.requests = requests;
  spec.rate_rps = 5000;
  return spec;
}

// The model_only target sizes each session's CPU threads from this, so it must come first.
TEST(RunLoad, TellsTheTargetHowManySessionsBeforeOpeningThem) {
  FakeTarget target;
  const auto run = run_load(target, workload(4), count_spec("closed", 3, 6));
  ASSERT_TRUE(run.ok()) << run.status().to_string();
  EXPECT_EQ(target.expected_sessions, 3);
  EXPECT_EQ(target.sessions_open_when_told, 0);
  EXPECT_EQ(target.sessions_opened, 3);
}

TEST(RunLoad, ClosedCountModeCompletesExactlyN) {
  FakeTarget target;
  const auto run = run_load(target, workload(10), count_spec("closed", 4, 50));
  ASSERT_TRUE(run.ok()) << run.status().to_string();
  ASSERT_EQ(run->samples.size(), 50u);
  for (const auto& sample : run->samples) {
    EXPECT_TRUE(sample.ok);
    EXPECT_EQ(sample.pairs, 3u);
    EXPECT_GE(sample.latency_ms, 0);
  }
  EXPECT_EQ(target.sessions_opened, 4);
  EXPECT_EQ(target.resets, 1);
  EXPECT_DOUBLE_EQ(run->mean_batch_size, 7.0);
}

TEST(RunLoad, ClosedLoopReachesItsConcurrency) {
  FakeTarget target;
  target.gate = 6;
  const auto run = run_load(target, workload(10), count_spec("closed", 6, 30));
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->samples.size(), 30u);
  EXPECT_EQ(target.max_in_flight, 6);
}

TEST(RunLoad, ClosedClientsStartAtDifferentOffsets) {
  FakeTarget target;
  target.gate = 4;  // every client's first call is in flight before any returns
  const auto run = run_load(target, workload(8), count_spec("closed", 4, 4));
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(target.first_queries.size(), 4u);
}

TEST(RunLoad, ErrorsAreSamplesCountedByType) {
  FakeTarget target;
  auto requests = workload(2);
  requests[1].documents[0] = "fail:overloaded";
  const auto run = run_load(target, requests, count_spec("closed", 1, 10));
  ASSERT_TRUE(run.ok());
  ResultPoint point;
  fill_measurements(*run, point);
  EXPECT_EQ(point.requests, 10);
  EXPECT_EQ(point.errors, 5);  // one client alternates between the two requests
  EXPECT_EQ(point.errors_by_type.at("overloaded"), 5);
  EXPECT_EQ(point.pairs, 15);
}

TEST(RunLoad, ClosedDurationModeKeepsAnswersInsideTheWindow) {
  FakeTarget target;
  target.delay = 500us;
  LoadSpec spec;
  spec.clients = 2;
  spec.warmup_s = 0.05;
  spec.duration_s = 0.2;
  const auto run = run_load(target, workload(5), spec);
  ASSERT_TRUE(run.ok());
  EXPECT_FALSE(run->samples.empty());
  EXPECT_DOUBLE_EQ(run->duration_s, 0.2);
  for (const auto& sample : run->samples) {  // answered within [0, duration] of the window
    const double answered_s = sample.start_s + sample.latency_ms / 1000;
    EXPECT_GE(answered_s, -1e-6);
    EXPECT_LE(answered_s, 0.2 + 1e-6);
  }
}

TEST(RunLoad, OpenCountModeCompletesExactlyN) {
  FakeTarget target;
  const auto run = run_load(target, workload(10), count_spec("open", 3, 40));
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->samples.size(), 40u);
  EXPECT_EQ(target.sessions_opened, 3);
  for (const auto& sample : run->samples) EXPECT_GE(sample.start_s, 0);
}

TEST(RunLoad, OpenDurationModeMeasuresEveryArrivalOfTheWindow) {
  FakeTarget target;
  LoadSpec spec;
  spec.mode = "open";
  spec.clients = 4;
  spec.rate_rps = 400;
  spec.warmup_s = 0.05;
  spec.duration_s = 0.25;
  spec.seed = 9;
  const auto run = run_load(target, workload(10), spec);
  ASSERT_TRUE(run.ok());
  // The schedule is fixed by the seed: the window holds exactly these arrivals, each one
  // either answered or counted as backlog.
  const auto schedule = poisson_arrivals(spec.rate_rps, spec.warmup_s + spec.duration_s, 9);
  const auto in_window =
      std::count_if(schedule.begin(), schedule.end(), [&](double t) { return t >= spec.warmup_s; });
  EXPECT_EQ(static_cast<long>(run->samples.size()), in_window);
  for (const auto& sample : run->samples) {
    EXPECT_TRUE(sample.ok || sample.error_type == "backlog");
    EXPECT_GE(sample.start_s, -1e-6);
    EXPECT_LT(sample.start_s, spec.duration_s);
  }
}

TEST(RunLoad, ProgressComesFromTheCallingThreadAndEndsAtOne) {
  FakeTarget target;
  target.delay = 200us;
  LoadSpec spec;
  spec.warmup_s = 0;
  spec.duration_s = 0.3;
  std::vector<double> fractions;
  const auto caller = std::this_thread::get_id();
  bool other_thread = false;
  const auto run = run_load(target, workload(3), spec, [&](double fraction) {
    other_thread |= std::this_thread::get_id() != caller;
    fractions.push_back(fraction);
  });
  ASSERT_TRUE(run.ok());
  EXPECT_FALSE(other_thread);
  ASSERT_GE(fractions.size(), 2u);
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
  EXPECT_DOUBLE_EQ(fractions.back(), 1.0);
}

TEST(RunLoad, BadSpecsNameTheField) {
  FakeTarget target;
  LoadSpec spec;
  spec.mode = "sideways";
  auto run = run_load(target, workload(1), spec);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("load.mode"), std::string::npos);

  spec = LoadSpec{};
  spec.mode = "open";
  run = run_load(target, workload(1), spec);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("load.rate_rps"), std::string::npos);

  spec = LoadSpec{};
  spec.clients = 0;
  run = run_load(target, workload(1), spec);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("load.clients"), std::string::npos);

  run = run_load(target, {}, LoadSpec{});
  EXPECT_FALSE(run.ok());
}

TEST(RunLoad, SessionFailureStopsTheRunBeforeItStarts) {
  FakeTarget target;
  target.refuse_sessions = true;
  const auto run = run_load(target, workload(1), count_spec("closed", 2, 5));
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("no sessions today"), std::string::npos);
  EXPECT_EQ(target.resets, 0);
}

TEST(PoissonArrivals, DeterministicForASeed) {
  const auto a = poisson_arrivals(50, 10, 3);
  EXPECT_EQ(a, poisson_arrivals(50, 10, 3));
  EXPECT_NE(a, poisson_arrivals(50, 10, 4));
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  ASSERT_FALSE(a.empty());
  EXPECT_GE(a.front(), 0);
  EXPECT_LT(a.back(), 10);
  EXPECT_TRUE(poisson_arrivals(0, 10, 1).empty());
}

TEST(PoissonArrivals, CountAndGapsFitAPoissonProcess) {
  constexpr double kRate = 100;
  constexpr double kDuration = 1000;  // 100,000 expected arrivals
  const auto times = poisson_arrivals(kRate, kDuration, 12345);
  const double n = static_cast<double>(times.size());
  // Poisson count: standard deviation sqrt(100000) ~ 316; allow 5 of them.
  EXPECT_NEAR(n, kRate * kDuration, 5 * std::sqrt(kRate * kDuration));
  double sum = 0;
  double sum_sq = 0;
  double previous = 0;
  for (const double t : times) {
    const double gap = t - previous;
    sum += gap;
    sum_sq += gap * gap;
    previous = t;
  }
  const double mean = sum / n;
  const double stddev = std::sqrt(sum_sq / n - mean * mean);
  // Exponential gaps: mean 1/rate and standard deviation equal to the mean. The mean's
  // standard error is 1/(rate * sqrt(n)) ~ 0.3%; 2% is a wide margin.
  EXPECT_NEAR(mean, 1 / kRate, 0.02 / kRate);
  EXPECT_NEAR(stddev / mean, 1.0, 0.02);
}

}  // namespace
}  // namespace rerankd::bench
