// A Target that measures the model alone: each request is tokenized before the run (in
// prepare) and every call hands its ready PackedBatch straight to a backend, one backend per
// session. No scheduler, no tokenization, no JSON: what issue 6's "model only (pre-tokenized
// batches)" numbers mean, comparable with the peers' --tokenized mode. One request is one
// batch, so workload.documents is the batch size.
#pragma once

#include <filesystem>
#include <memory>

#include "bench/target.h"
#include "common/result.h"
#include "config/config.h"

namespace rerankd::bench {

// Loads the model and tokenizer in `model_dir`; sessions create backends from config.model
// (backend, dtype, threads, the first of model.device). Errors from loading are returned here;
// a backend this build lacks surfaces at open_session as Unimplemented.
Result<std::unique_ptr<Target>> make_model_only_target(const config::Config& config,
                                                       const std::filesystem::path& model_dir);

}  // namespace rerankd::bench
