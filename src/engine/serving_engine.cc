#include "engine/serving_engine.h"

#include <algorithm>
#include <future>
#include <mutex>
#include <thread>

#include "engine/model_fit.h"
#include "engine/score_activation.h"
#include "engine/worker_threads.h"

namespace rerankd::engine {
namespace {

// The devices that get a worker set: every listed GPU for the cuda backend; CPU backends ignore
// model.device and run one set.
std::vector<int> worker_devices(const config::ModelConfig& model) {
  if (model.backend != "cuda" || model.device.empty()) return {0};
  return model.device;
}

std::chrono::nanoseconds since(Clock::time_point start) { return Clock::now() - start; }

// Answers that need no work still go out on a thread of their own: the service promises never
// to call back inline on the caller's (an HTTP I/O) thread.
void answer_off_thread(std::function<void()> answer) { std::thread(std::move(answer)).detach(); }

Status shutting_down() { return {StatusCode::kUnavailable, "the server is shutting down"}; }

int tokenizer_threads(const config::ServerConfig& server) {
  if (server.tokenizer_threads > 0) return server.tokenizer_threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

ServingEngine::ServingEngine(const config::Config& config,
                             std::shared_ptr<const model::BertModel> model,
                             text::Tokenizer tokenizer)
    : config_(config), model_(std::move(model)), tokenizer_(std::move(tokenizer)) {}

ServingEngine::~ServingEngine() { shutdown(); }

Result<config::Config> with_resolved_max_length(const config::Config& config,
                                                const model::BertConfig& model) {
  RERANKD_ASSIGN_OR_RETURN(
      const auto fitted, resolve_tokenize_options({.max_length = config.model.max_length}, model));
  config::Config resolved = config;
  resolved.model.max_length = fitted.max_length;
  return resolved;
}

namespace {

// `requested` with model.max_length resolved, and the batching limits checked against the
// result: config validation cannot know the model.
Result<config::Config> with_model_limits(const config::Config& requested,
                                         const model::BertModel& model) {
  auto resolved = with_resolved_max_length(requested, model.config());
  if (!resolved.ok()) return resolved.status().with_context("model");
  const config::Config& config = *resolved;
  if (config.batching.max_batch_tokens < config.model.max_length) {
    return invalid_argument(
        "batching.max_batch_tokens " + std::to_string(config.batching.max_batch_tokens) +
        " is below the model's limit of " + std::to_string(config.model.max_length) +
        " tokens a pair (a longest pair must fit a batch; set "
        "model.max_length lower or max_batch_tokens higher)");
  }
  return resolved;
}

}  // namespace

Result<std::unique_ptr<ServingEngine>> ServingEngine::create(const config::Config& requested,
                                                             const std::filesystem::path& model_dir,
                                                             metrics::Registry* registry) {
  RERANKD_ASSIGN_OR_RETURN(auto model, model::BertModel::load(model_dir));
  RERANKD_ASSIGN_OR_RETURN(auto tokenizer, text::Tokenizer::from_directory(model_dir));
  RERANKD_RETURN_IF_ERROR(check_tokenizer_fits_model(tokenizer, model->config()));
  RERANKD_ASSIGN_OR_RETURN(const config::Config config, with_model_limits(requested, *model));
  std::unique_ptr<ServingEngine> engine(new ServingEngine(config, model, std::move(tokenizer)));

  // One backend per worker: a backend is driven by one thread only. A GPU backend gets a set of
  // max_concurrency workers per device in model.device, all behind the one queue, so a batch
  // goes to whichever GPU frees up first.
  std::vector<std::unique_ptr<backend::Backend>> backends;
  backend::BackendOptions options;
  options.name = config.model.backend;
  options.dtype = config.model.dtype;
  options.threads = threads_per_worker(config.model, config.server.max_concurrency,
                                       std::thread::hardware_concurrency());
  for (const int device : worker_devices(config.model)) {
    options.device = device;
    for (int i = 0; i < config.server.max_concurrency; ++i) {
      RERANKD_ASSIGN_OR_RETURN(auto backend, backend::create_backend(options, model));
      if (i == 0) {
        engine->backend_device_ += (engine->backend_device_.empty() ? "" : ",");
        engine->backend_device_ += backend->info().device;
        engine->threads_per_worker_ = backend->info().threads;
      }
      backends.push_back(std::move(backend));
    }
  }

  sched::SchedulerOptions scheduler_options;
  scheduler_options.batching = config.batching;
  scheduler_options.max_queue_pairs = config.server.max_queue_pairs;
  scheduler_options.num_labels = static_cast<std::size_t>(model->config().num_labels);
  scheduler_options.max_pair_tokens = config.model.max_length;
  RERANKD_ASSIGN_OR_RETURN(
      engine->scheduler_,
      sched::Scheduler::create(scheduler_options, std::move(backends), registry));
  engine->tokenizer_pool_ = std::make_unique<TaskPool>(tokenizer_threads(config.server));
  RERANKD_RETURN_IF_ERROR(engine->warm_up());
  engine->ready_ = true;
  return engine;
}

// One small request through every stage, so the first client does not pay for lazy setup.
Status ServingEngine::warm_up() {
  std::promise<Status> finished;
  auto result = finished.get_future();
  PairWork work;
  work.pairs = {{"warm up", "a passage to warm up the backend"}};
  work.mode = ScoreMode::kRaw;
  run_pairs(std::move(work), [&finished](Scored scored) { finished.set_value(scored.status); });
  return result.get().with_context("warm-up batch");
}

void ServingEngine::shutdown() {
  {
    std::unique_lock lock(admission_mutex_);
    if (!accepting_) return;
    accepting_ = false;
    ready_ = false;
  }
  tokenizer_pool_.reset();  // runs every tokenization already posted (they submit their jobs)
  if (scheduler_) scheduler_->shutdown();  // answers every admitted job
}

// One request between arrival and admission: its pairs are tokenized in chunks on the pool,
// each chunk writing its own slots; the chunk that finishes last submits the job.
struct ServingEngine::PendingRequest {
  std::vector<OwnedPair> pairs;
  std::optional<std::string> shared_query;
  std::shared_ptr<sched::ScoringJob> job = std::make_shared<sched::ScoringJob>();
  text::TokenizeOptions options;
  ScoreMode mode = ScoreMode::kActivated;
  Clock::time_point arrived;
  std::function<void(Scored)> finish;
  std::atomic<std::size_t> chunks_left{0};
  std::atomic<std::size_t> total_tokens{0};
  std::mutex error_mutex;              // guards error_index and error
  std::size_t error_index = SIZE_MAX;  // the first failing pair, so the message is deterministic
  Status error;
};

void ServingEngine::run_pairs(PairWork work, std::function<void(Scored)> finish) {
  auto pending = std::make_shared<PendingRequest>();
  pending->arrived = Clock::now();
  pending->options = {.max_length = config_.model.max_length,
                      .truncation = work.truncation.enabled ? text::Truncation::kLongestFirst
                                                            : text::Truncation::kNone,
                      .side = work.truncation.side,
                      .max_document_tokens = work.truncation.max_document_tokens};
  pending->mode = work.mode;
  pending->finish = std::move(finish);
  pending->job->deadline = work.deadline;
  if (work.cancel)
    pending->job->is_cancelled = [cancel = work.cancel] { return cancel->cancelled(); };
  pending->job->pairs.resize(work.pairs.size());
  pending->pairs = std::move(work.pairs);
  pending->shared_query = std::move(work.shared_query);

  // Large requests are split over the pool so one 1,000-document request does not tokenize on
  // a single core; small ones stay whole, where a task hop would cost more than it saves.
  constexpr std::size_t kMinPairsPerChunk = 16;
  const std::size_t count = pending->pairs.size();
  const std::size_t chunks = std::clamp<std::size_t>(
      count / kMinPairsPerChunk, 1, static_cast<std::size_t>(tokenizer_pool_->size()));
  pending->chunks_left = chunks;
  for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
    const std::size_t begin = count * chunk / chunks;
    const std::size_t end = count * (chunk + 1) / chunks;
    tokenizer_pool_->post([this, pending, begin, end] { tokenize_chunk(pending, begin, end); });
  }
}

namespace {

void record_error(std::mutex& mutex, std::size_t& first_index, Status& first_error,
                  std::size_t index, Status status) {
  std::lock_guard lock(mutex);
  if (index < first_index) {
    first_index = index;
    first_error = std::move(status);
  }
}

}  // namespace

void ServingEngine::tokenize_chunk(const std::shared_ptr<PendingRequest>& pending,
                                   std::size_t begin, std::size_t end) {
  // A shared query is tokenized once per chunk, not once per document.
  std::vector<std::int32_t> query_ids;
  Status status;
  if (pending->shared_query) status = tokenizer_.encode_query(*pending->shared_query, query_ids);
  if (!status.ok()) {
    record_error(pending->error_mutex, pending->error_index, pending->error, 0, std::move(status));
    begin = end;
  }
  std::size_t tokens = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const auto& pair = pending->pairs[i];
    auto& encoding = pending->job->pairs[i];
    status = pending->shared_query
                 ? tokenizer_.encode_pair_with_query(query_ids, pair.document, pending->options,
                                                     encoding)
                 : tokenizer_.encode_pair(pair.query, pair.document, pending->options, encoding);
    if (!status.ok()) {
      record_error(pending->error_mutex, pending->error_index, pending->error, i,
                   status.with_context("document " + std::to_string(i)));
      break;
    }
    tokens += encoding.size();
  }
  pending->total_tokens += tokens;
  if (pending->chunks_left.fetch_sub(1) == 1) submit_tokenized(pending);
}

void ServingEngine::submit_tokenized(const std::shared_ptr<PendingRequest>& pending) {
  const auto tokenize_time = since(pending->arrived);
  const std::size_t total_tokens = pending->total_tokens;
  {
    std::lock_guard lock(pending->error_mutex);
    if (!pending->error.ok()) {
      pending->finish({pending->error, {}, 0, {tokenize_time, {}, {}, since(pending->arrived)}});
      return;
    }
  }
  pending->pairs.clear();  // the texts are no longer needed while the job waits
  // The callback captures copies, not `pending`: pending owns the job, which owns the callback.
  pending->job->on_done = [this, mode = pending->mode, finish = pending->finish,
                           arrived = pending->arrived, tokenize_time,
                           total_tokens](sched::RequestOutcome outcome) {
    Scored scored{std::move(outcome.status), std::move(outcome.logits), total_tokens, {}};
    if (scored.status.ok() && mode == ScoreMode::kActivated) {
      apply_score_activation(model_->config().score_activation, scored.scores);
    }
    scored.times = {tokenize_time, outcome.queue_time, outcome.inference_time, since(arrived)};
    finish(std::move(scored));
  };
  const Status admitted = scheduler_->submit(pending->job);
  if (!admitted.ok()) {
    pending->finish({admitted, {}, total_tokens, {tokenize_time, {}, {}, since(pending->arrived)}});
  }
}

void ServingEngine::score(ScoreRequest request, std::function<void(ScoreResponse)> done) {
  std::shared_lock lock(admission_mutex_);
  if (!accepting_) {
    answer_off_thread([done = std::move(done)] { done({shutting_down(), {}, 0, {}}); });
    return;
  }
  PairWork work{std::move(request.pairs), std::nullopt,     request.mode,
                request.truncation,       request.deadline, std::move(request.cancel)};
  run_pairs(std::move(work), [done = std::move(done)](Scored scored) {
    done({std::move(scored.status), std::move(scored.scores), scored.total_tokens, scored.times});
  });
}

void ServingEngine::rerank(RerankRequest request, std::function<void(RerankResponse)> done) {
  std::shared_lock lock(admission_mutex_);
  if (!accepting_) {
    answer_off_thread([done = std::move(done)] { done({shutting_down(), {}, 0, {}}); });
    return;
  }
  if (model_->config().num_labels != 1) {
    answer_off_thread([done = std::move(done), labels = model_->config().num_labels] {
      done({failed_precondition("ranking needs a model with one label; this one has " +
                                std::to_string(labels)),
            {},
            0,
            {}});
    });
    return;
  }
  PairWork work;
  work.pairs.reserve(request.documents.size());
  for (auto& document : request.documents) work.pairs.push_back({{}, std::move(document)});
  work.shared_query = std::move(request.query);
  work.mode = request.mode;
  work.truncation = request.truncation;
  work.deadline = request.deadline;
  work.cancel = std::move(request.cancel);
  const std::size_t top_n = request.top_n;
  run_pairs(std::move(work), [done = std::move(done), top_n](Scored scored) {
    RerankResponse response{std::move(scored.status), {}, scored.total_tokens, scored.times};
    if (response.status.ok()) response.ranked = rank_by_score(scored.scores, top_n);
    done(std::move(response));
  });
}

ServiceInfo ServingEngine::info() const {
  ServiceInfo info;
  info.model_id = config_.model.path;
  info.model_dir = model_->directory().string();
  info.backend = config_.model.backend;
  info.dtype = config_.model.dtype;
  info.device = backend_device_;
  info.max_length = config_.model.max_length;
  info.max_client_batch_size = config_.server.max_client_batch_size;
  info.max_concurrency = config_.server.max_concurrency;
  info.threads_per_worker = threads_per_worker_;
  info.max_batch_size = config_.batching.max_batch_size;
  info.max_batch_tokens = config_.batching.max_batch_tokens;
  info.max_queue_pairs = config_.server.max_queue_pairs;
  info.auto_truncate = config_.server.auto_truncate;
  info.tokenizer_threads = tokenizer_threads(config_.server);
  info.random_weights = model_->config().random_weights;
  info.labels = model_->config().labels;
  info.architecture = model_->config().architecture;
  info.tokenizer = tokenizer_.describe();
  return info;
}

}  // namespace rerankd::engine
