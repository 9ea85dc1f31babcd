// The flags every model-using subcommand shares (--model, --backend, --dtype, --threads, ...)
// and turning them into an open Reranker.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "engine/reranker.h"

namespace CLI {
class App;
}

namespace rerankd::app {

struct EngineFlags {
  std::string model;     // a directory or a Hub id ("org/name[@revision]")
  std::string revision;  // --revision; empty: the one in `model`, else main
  bool offline = false;  // --offline, as HF_HUB_OFFLINE=1
  std::string backend = "cpu";
  std::string dtype = "fp32";
  int threads = 0;     // 0 = all cores
  int device = 0;      // GPU index for the cuda backend
  int max_length = 0;  // 0 = the model's max positions
  std::string truncation = "longest_first";
  int batch_size = 32;
};

void add_engine_flags(CLI::App& command, EngineFlags& flags);

// Resolves --model (directory, else the Hugging Face cache), opens the engine and, when the
// model has random weights, says so loudly on standard error.
Result<std::unique_ptr<engine::Reranker>> open_reranker(const EngineFlags& flags);

// --truncation as a text::Truncation; InvalidArgument naming the value otherwise.
Result<text::Truncation> parse_truncation(const std::string& name);

// Resolves a --model value to a directory: as is, else from the Hugging Face cache, else
// downloaded from the Hub (not when `offline` or HF_HUB_OFFLINE).
Result<std::filesystem::path> resolve_model_flag(const std::string& model,
                                                 const std::string& revision = "",
                                                 bool offline = false);

// Adds --revision and --offline, which say how a Hub id in --model is resolved.
void add_hub_flags(CLI::App& command, std::string& revision, bool& offline);

// The banner printed for models written by `rerankd make-model`.
void warn_random_weights(const std::filesystem::path& model_dir);

}  // namespace rerankd::app
