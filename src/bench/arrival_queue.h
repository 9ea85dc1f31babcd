// The open loop's hand-off: the generator's thread pushes each arrival at its scheduled time;
// a pool of sender threads, one per session, pops and sends them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace rerankd::bench {

struct Arrival {
  std::chrono::steady_clock::time_point at;  // scheduled: latency counts from here
  std::size_t request = 0;
  bool measured = false;
};

// Scheduled arrivals waiting for a free sender.
class ArrivalQueue {
 public:
  void push(Arrival arrival) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(arrival);
    }
    ready_.notify_one();
  }
  // Blocks; nullopt once closed and empty.
  std::optional<Arrival> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return closed_ || !queue_.empty(); });
    if (queue_.empty()) return std::nullopt;
    Arrival arrival = queue_.front();
    queue_.pop_front();
    return arrival;
  }
  bool empty() {
    std::lock_guard lock(mutex_);
    return queue_.empty();
  }
  // No more arrivals; returns the unsent ones when `discard` (senders then stop).
  std::deque<Arrival> close(bool discard) {
    std::deque<Arrival> left;
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      if (discard) left.swap(queue_);
    }
    ready_.notify_all();
    return left;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Arrival> queue_;
  bool closed_ = false;
};

}  // namespace rerankd::bench
