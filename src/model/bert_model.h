// A loaded BERT cross-encoder: its config and fp32 weights, with the storage that backs them.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/result.h"
#include "model/bert_config.h"
#include "model/bert_weights.h"

namespace rerankd::model {

class WeightStorage;  // memory maps and converted buffers; defined in weight_storage.h

// Immutable after load; safe to share between threads and backends.
class BertModel {
 public:
  // Loads config.json and model.safetensors (or the shards listed by
  // model.safetensors.index.json) from `dir`. Tensors may be F32, F16 or BF16 (converted to
  // fp32 on load) and named with or without the "bert." prefix. Errors name the file and the
  // problem: missing file, truncated or corrupt safetensors, shape/dtype mismatch, unknown
  // architecture, missing tensor.
  static Result<std::shared_ptr<const BertModel>> load(const std::filesystem::path& dir);

  ~BertModel();
  BertModel(const BertModel&) = delete;
  BertModel& operator=(const BertModel&) = delete;

  const BertConfig& config() const { return config_; }
  const BertWeights& weights() const { return weights_; }
  const std::filesystem::path& directory() const { return directory_; }
  // e.g. "model.safetensors (F32, 1 file, 101 tensors, 22.7M parameters)"
  const std::string& checkpoint_description() const { return checkpoint_description_; }

 private:
  BertModel() = default;

  BertConfig config_;
  BertWeights weights_;
  std::filesystem::path directory_;
  std::string checkpoint_description_;
  std::unique_ptr<WeightStorage> storage_;
};

}  // namespace rerankd::model
