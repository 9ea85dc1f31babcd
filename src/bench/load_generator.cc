#include "bench/load_generator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iterator>
#include <mutex>
#include <random>
#include <thread>

#include "bench/arrival_queue.h"
#include "bench/arrivals.h"

namespace rerankd::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

constexpr auto kTick = std::chrono::milliseconds(100);  // progress ten times a second
// Open loop: arrivals of the window still unsent this long after it closes are failures
// ("backlog"): the clients were all busy, so the target did not keep up with the rate.
constexpr auto kBacklogGrace = std::chrono::seconds(2);
// Count mode's progress: the share of the bar the (timed) warm-up takes.
constexpr double kWarmupShare = 0.2;

double seconds(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}
TimePoint after(TimePoint t, double s) {
  return t + std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(s));
}

// The run's timeline, fixed before any thread starts.
struct Window {
  TimePoint start;         // warm-up begins
  TimePoint begin;         // measured window begins
  TimePoint end;           // measured window ends (TimePoint::max() when counting requests)
  std::int64_t count = 0;  // > 0: measure this many requests
  bool by_count() const { return count > 0; }
};

struct Timed {
  RequestSample sample;
  TimePoint end;
};

Timed make_timed(const CallOutcome& outcome, const Window& window, TimePoint origin,
                 TimePoint end) {
  Timed timed{{}, end};
  timed.sample.start_s = seconds(window.begin, origin);
  timed.sample.latency_ms = seconds(origin, end) * 1000.0;
  timed.sample.ok = outcome.ok;
  timed.sample.pairs = outcome.ok ? outcome.pairs : 0;
  timed.sample.error_type = outcome.ok ? "" : outcome.error_type;
  return timed;
}

Status check_spec(const LoadSpec& spec, const std::vector<BenchRequest>& workload) {
  const auto bad = [](const std::string& field, const std::string& why) {
    return invalid_argument("load." + field + ": " + why);
  };
  if (workload.empty()) return invalid_argument("load: the workload has no requests");
  if (spec.mode != "closed" && spec.mode != "open") {
    return bad("mode", "\"" + spec.mode + "\" is not one of closed, open");
  }
  if (spec.clients < 1) return bad("clients", std::to_string(spec.clients) + " is not positive");
  if (spec.mode == "open" && !(spec.rate_rps > 0)) {
    return bad("rate_rps", std::to_string(spec.rate_rps) + " is not positive (open loop)");
  }
  if (!(spec.warmup_s >= 0)) return bad("warmup_s", std::to_string(spec.warmup_s) + " is negative");
  if (spec.requests < 0) return bad("requests", std::to_string(spec.requests) + " is negative");
  if (spec.requests == 0 && !(spec.duration_s > 0)) {
    return bad("duration_s", std::to_string(spec.duration_s) + " is not positive");
  }
  return Status::ok_status();
}

// The generator's own thread between events: opens the window on the target's batch stats,
// reads them when it closes, and reports progress every tick.
class Ticker {
 public:
  Ticker(Target& target, const Window& window, const LoadSpec& spec, const ProgressFn& progress,
         const std::atomic<std::int64_t>& measured)
      : target_(target), window_(window), spec_(spec), progress_(progress), measured_(measured) {}

  // Sleeps until `when`, or until `stop` (checked every tick) returns true.
  void sleep_until(TimePoint when, const std::function<bool()>& stop = {}) {
    while (true) {
      const TimePoint now = SteadyClock::now();
      on_time(now);
      if (now >= when || (stop && stop())) return;
      TimePoint wake = std::min(when, next_tick_);
      if (!reset_) wake = std::min(wake, window_.begin);
      if (!read_) wake = std::min(wake, window_.end);
      std::this_thread::sleep_until(wake);
    }
  }

  // The batch size read when the window closed, or now when it has not closed by time.
  double mean_batch_size() {
    if (!read_) close_window();
    if (progress_) progress_(1.0);
    return batch_size_;
  }
  // Read with the batch size; call mean_batch_size() first.
  double pairs_computed() const { return pairs_computed_; }

 private:
  void on_time(TimePoint now) {
    if (!reset_ && now >= window_.begin) {
      target_.reset_batch_stats();
      reset_ = true;
    }
    if (!read_ && now >= window_.end) close_window();
    if (now >= next_tick_) {
      if (progress_) progress_(fraction(now));
      next_tick_ = now + kTick;
    }
  }
  void close_window() {
    batch_size_ = target_.mean_batch_size();
    pairs_computed_ = target_.pairs_computed();
    read_ = true;
  }
  double fraction(TimePoint now) const {
    const double elapsed = seconds(window_.start, now);
    if (!window_.by_count()) return std::min(1.0, elapsed / (spec_.warmup_s + spec_.duration_s));
    const double warm_share = spec_.warmup_s > 0 ? kWarmupShare : 0;
    const double warm = spec_.warmup_s > 0 ? std::min(1.0, elapsed / spec_.warmup_s) : 1;
    const double done = static_cast<double>(measured_.load()) / static_cast<double>(window_.count);
    return std::min(1.0, warm_share * warm + (1 - warm_share) * done);
  }

  Target& target_;
  const Window& window_;
  const LoadSpec& spec_;
  const ProgressFn& progress_;
  const std::atomic<std::int64_t>& measured_;
  bool reset_ = false;
  bool read_ = false;
  double batch_size_ = 0;
  double pairs_computed_ = 0;
  TimePoint next_tick_{};
};

// What one client thread measured, merged in completion order at the end.
LoadRun collect(std::vector<std::vector<Timed>>& per_thread, double duration_s, double batch,
                double pairs_computed) {
  std::vector<Timed> all;
  for (auto& timed : per_thread) std::move(timed.begin(), timed.end(), std::back_inserter(all));
  std::stable_sort(all.begin(), all.end(),
                   [](const Timed& a, const Timed& b) { return a.end < b.end; });
  LoadRun run;
  run.duration_s = duration_s;
  run.mean_batch_size = batch;
  run.pairs_computed = pairs_computed;
  for (auto& timed : all) run.samples.push_back(std::move(timed.sample));
  return run;
}

// The count-mode window lasts until its last measured answer.
double window_length(const Window& window, const std::vector<std::vector<Timed>>& per_thread,
                     const LoadSpec& spec) {
  if (!window.by_count()) return spec.duration_s;
  TimePoint last = window.begin;
  for (const auto& timed : per_thread) {
    for (const auto& t : timed) last = std::max(last, t.end);
  }
  return seconds(window.begin, last);
}

struct ClosedShared {
  std::atomic<std::int64_t> claimed{0};   // count mode: measured requests handed out
  std::atomic<std::int64_t> measured{0};  // measured requests answered
  std::atomic<int> finished{0};           // client threads done
};

// One closed-loop client: next request as soon as the previous one is answered. Count mode
// measures the requests it sends after the window opens (each claims a slot of the count);
// duration mode, those answered inside the window.
void closed_client(Session& session, const std::vector<BenchRequest>& workload, std::size_t offset,
                   const Window& window, ClosedShared& shared, std::vector<Timed>& out) {
  for (std::size_t i = offset;; i = (i + 1) % workload.size()) {
    const TimePoint sent = SteadyClock::now();
    bool measured = false;
    if (window.by_count() && sent >= window.begin) {
      if (shared.claimed.fetch_add(1) >= window.count) break;
      measured = true;
    }
    if (sent >= window.end) break;
    const CallOutcome outcome = session.call(workload[i]);
    const TimePoint end = SteadyClock::now();
    if (!window.by_count()) measured = end >= window.begin && end <= window.end;
    if (!measured) continue;
    out.push_back(make_timed(outcome, window, sent, end));
    shared.measured.fetch_add(1);
  }
  shared.finished.fetch_add(1);
}

// Distinct starting points in the workload, one per client, at a seeded random base.
std::vector<std::size_t> client_offsets(std::size_t workload_size, int clients,
                                        std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  const std::size_t base = static_cast<std::size_t>(engine() % workload_size);
  std::vector<std::size_t> offsets;
  for (int c = 0; c < clients; ++c) {
    offsets.push_back(
        (base + static_cast<std::size_t>(c) * workload_size / static_cast<std::size_t>(clients)) %
        workload_size);
  }
  return offsets;
}

LoadRun run_closed(Target& target, std::vector<std::unique_ptr<Session>>& sessions,
                   const std::vector<BenchRequest>& workload, const LoadSpec& spec,
                   const Window& window, const ProgressFn& progress) {
  ClosedShared shared;
  Ticker ticker(target, window, spec, progress, shared.measured);
  const auto offsets = client_offsets(workload.size(), spec.clients, spec.seed);
  std::vector<std::vector<Timed>> per_thread(sessions.size());
  std::vector<std::thread> threads;
  for (std::size_t c = 0; c < sessions.size(); ++c) {
    threads.emplace_back([&, c] {
      closed_client(*sessions[c], workload, offsets[c], window, shared, per_thread[c]);
    });
  }
  const int clients = static_cast<int>(sessions.size());
  ticker.sleep_until(TimePoint::max(), [&] { return shared.finished.load() == clients; });
  for (auto& thread : threads) thread.join();
  const double batch = ticker.mean_batch_size();
  return collect(per_thread, window_length(window, per_thread, spec), batch,
                 ticker.pairs_computed());
}

void open_sender(Session& session, const std::vector<BenchRequest>& workload, const Window& window,
                 ArrivalQueue& queue, std::atomic<std::int64_t>& measured,
                 std::vector<Timed>& out) {
  while (const auto arrival = queue.pop()) {
    const CallOutcome outcome = session.call(workload[arrival->request]);
    if (!arrival->measured) continue;
    out.push_back(make_timed(outcome, window, arrival->at, SteadyClock::now()));
    measured.fetch_add(1);
  }
}

// Hands the schedule's arrivals to the queue on time, until the window ends (or its count
// of measured arrivals is reached).
void dispatch(ArrivalQueue& queue, Ticker& ticker, const Window& window, const LoadSpec& spec,
              std::size_t workload_size) {
  PoissonArrivals arrivals(spec.rate_rps, spec.seed);
  std::size_t request = client_offsets(workload_size, 1, spec.seed)[0];
  std::int64_t measured = 0;
  while (true) {
    const TimePoint at = after(window.start, arrivals.next());
    const bool in_window = at >= window.begin;
    if (window.by_count() ? in_window && measured == window.count : at >= window.end) return;
    ticker.sleep_until(at);
    queue.push({at, request, in_window});
    measured += in_window ? 1 : 0;
    request = (request + 1) % workload_size;
  }
}

LoadRun run_open(Target& target, std::vector<std::unique_ptr<Session>>& sessions,
                 const std::vector<BenchRequest>& workload, const LoadSpec& spec,
                 const Window& window, const ProgressFn& progress) {
  std::atomic<std::int64_t> measured{0};
  Ticker ticker(target, window, spec, progress, measured);
  ArrivalQueue queue;
  std::vector<std::vector<Timed>> per_thread(sessions.size() + 1);  // last: the backlog
  std::vector<std::thread> threads;
  for (std::size_t c = 0; c < sessions.size(); ++c) {
    threads.emplace_back(
        [&, c] { open_sender(*sessions[c], workload, window, queue, measured, per_thread[c]); });
  }
  dispatch(queue, ticker, window, spec, workload.size());
  if (window.by_count()) {
    queue.close(false);  // every measured arrival is sent: the count is exact
    ticker.sleep_until(TimePoint::max(), [&] { return measured.load() == window.count; });
  } else {
    ticker.sleep_until(window.end);
    ticker.sleep_until(window.end + kBacklogGrace, [&] { return queue.empty(); });
    const CallOutcome unsent{false, "backlog", "every client was busy", 0};
    for (const Arrival& arrival : queue.close(true)) {
      per_thread.back().push_back(make_timed(unsent, window, arrival.at, SteadyClock::now()));
    }
  }
  for (auto& thread : threads) thread.join();
  const double batch = ticker.mean_batch_size();
  return collect(per_thread, window_length(window, per_thread, spec), batch,
                 ticker.pairs_computed());
}

}  // namespace

Result<LoadRun> run_load(Target& target, const std::vector<BenchRequest>& workload,
                         const LoadSpec& spec, const ProgressFn& progress) {
  RERANKD_RETURN_IF_ERROR(check_spec(spec, workload));
  RERANKD_RETURN_IF_ERROR(target.prepare(workload));
  target.expect_sessions(spec.clients);
  std::vector<std::unique_ptr<Session>> sessions;
  for (int c = 0; c < spec.clients; ++c) {
    RERANKD_ASSIGN_OR_RETURN(auto session, target.open_session());
    sessions.push_back(std::move(session));
  }
  Window window;
  window.start = SteadyClock::now();
  window.begin = after(window.start, spec.warmup_s);
  window.count = spec.requests;
  window.end = window.by_count() ? TimePoint::max() : after(window.begin, spec.duration_s);
  if (spec.mode == "closed") return run_closed(target, sessions, workload, spec, window, progress);
  return run_open(target, sessions, workload, spec, window, progress);
}

}  // namespace rerankd::bench
