// Writes a deterministic BERT cross-encoder with random weights as a Hugging Face directory.
// Used for the conformance model (MiniLM-L6-H384 shape, real vocab), for tests of the loader
// (F16/BF16, shards, prefixes) and as the demo model when the real one is not cached.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"
#include "model/bert_config.h"

namespace rerankd::model {

enum class StoredDtype { kF32, kF16, kBF16 };

struct RandomModelSpec {
  // Shape of cross-encoder/ms-marco-MiniLM-L-6-v2 by default.
  BertConfig config = minilm_l6_h384_config();
  std::uint64_t seed = 20251223;
  StoredDtype dtype = StoredDtype::kF32;
  int shards = 1;           // >1 writes model-0000k-of-0000n.safetensors + index
  bool bert_prefix = true;  // tensor names "bert.embeddings..." as HF saves them
  // Folder whose tokenizer.json / vocab.txt / tokenizer_config.json / special_tokens_map.json
  // are copied next to the weights (usually ../shared/data/bert-base-uncased).
  std::filesystem::path tokenizer_dir;

  static BertConfig minilm_l6_h384_config();
};

// Same spec, same bytes, on every machine: the generator uses integer arithmetic only.
// config.json carries "rerankd_random_weights": true.
Status write_random_model(const RandomModelSpec& spec, const std::filesystem::path& out_dir);

}  // namespace rerankd::model
