#include "fake_service.h"

#include <algorithm>
#include <chrono>
#include <numeric>

namespace rerankd::http::testing {
namespace {

float fake_score(const std::string& document, engine::ScoreMode mode) {
  const float length = static_cast<float>(document.size());
  return mode == engine::ScoreMode::kRaw ? -length : length;
}

engine::StageTimes fake_times() {
  engine::StageTimes times;
  times.tokenize = std::chrono::milliseconds(1);
  times.queue = std::chrono::milliseconds(2);
  times.inference = std::chrono::milliseconds(3);
  times.total = std::chrono::milliseconds(7);
  return times;
}

}  // namespace

FakeService::FakeService() : worker_([this] { run(); }) {}

FakeService::~FakeService() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    holding_ = false;
    for (auto& task : held_) tasks_.push_back(std::move(task));
    held_.clear();
  }
  changed_.notify_all();
  worker_.join();
}

void FakeService::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++calls_;
    if (holding_) {
      held_.push_back(std::move(task));
    } else {
      tasks_.push_back(std::move(task));
    }
  }
  changed_.notify_all();
}

void FakeService::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

void FakeService::score(engine::ScoreRequest request,
                        std::function<void(engine::ScoreResponse)> done) {
  Status failure;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    last_score_ = request;
    failure = failure_;
  }
  post([request = std::move(request), done = std::move(done), failure] {
    engine::ScoreResponse response;
    response.status = failure;
    if (failure.ok()) {
      for (const engine::OwnedPair& pair : request.pairs) {
        response.scores.push_back(fake_score(pair.document, request.mode));
        response.total_tokens += pair.query.size() + pair.document.size();
      }
      response.times = fake_times();
    }
    done(std::move(response));
  });
}

void FakeService::rerank(engine::RerankRequest request,
                         std::function<void(engine::RerankResponse)> done) {
  Status failure;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    last_rerank_ = request;
    failure = failure_;
  }
  post([request = std::move(request), done = std::move(done), failure] {
    engine::RerankResponse response;
    response.status = failure;
    if (failure.ok()) {
      for (std::size_t i = 0; i < request.documents.size(); ++i) {
        response.ranked.push_back({i, fake_score(request.documents[i], request.mode)});
        response.total_tokens += request.query.size() + request.documents[i].size();
      }
      std::stable_sort(response.ranked.begin(), response.ranked.end(),
                       [](const auto& a, const auto& b) { return a.score > b.score; });
      if (request.top_n > 0 && request.top_n < response.ranked.size()) {
        response.ranked.resize(request.top_n);
      }
      response.times = fake_times();
    }
    done(std::move(response));
  });
}

engine::ServiceInfo FakeService::info() const {
  engine::ServiceInfo info;
  info.model_id = "fake/length-scorer";
  info.model_dir = "/nowhere";
  info.backend = "fake";
  info.dtype = "fp32";
  info.device = "cpu";
  info.max_length = 512;
  info.max_client_batch_size = 8;
  info.max_concurrency = 1;
  info.max_batch_size = 4;
  info.labels = {"LABEL_0"};
  return info;
}

bool FakeService::ready() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ready_;
}

void FakeService::set_ready(bool ready) {
  std::lock_guard<std::mutex> lock(mutex_);
  ready_ = ready;
}

void FakeService::fail_with(Status status) {
  std::lock_guard<std::mutex> lock(mutex_);
  failure_ = std::move(status);
}

void FakeService::hold() {
  std::lock_guard<std::mutex> lock(mutex_);
  holding_ = true;
}

void FakeService::release() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    holding_ = false;
    for (auto& task : held_) tasks_.push_back(std::move(task));
    held_.clear();
  }
  changed_.notify_all();
}

void FakeService::wait_for_calls(int n) {
  std::unique_lock<std::mutex> lock(mutex_);
  // Bounded so that a broken server fails the test instead of hanging it.
  changed_.wait_for(lock, std::chrono::seconds(30), [&] { return calls_ >= n; });
}

std::optional<engine::RerankRequest> FakeService::last_rerank() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_rerank_;
}

std::optional<engine::ScoreRequest> FakeService::last_score() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_score_;
}

}  // namespace rerankd::http::testing
