#include "model/random_model.h"

#include <cstdio>
#include <cstring>
#include <fstream>

#include "common/json_writer.h"
#include "model/bert_tensor_specs.h"
#include "model/dtype_convert.h"
#include "model/hf_config_json.h"
#include "model/random_init.h"
#include "model/safetensors_writer.h"
#include "model/weight_storage.h"

namespace rerankd::model {
namespace {

namespace fs = std::filesystem;

constexpr const char* kNameOrPath = "rerankd/random-minilm-l6-h384";
constexpr const char* kTokenizerFiles[] = {"tokenizer.json", "vocab.txt", "tokenizer_config.json",
                                           "special_tokens_map.json"};

// Scales chosen for signal, not for training: larger than BERT's 0.02 init, with sharper
// query/key projections so attention is far from uniform, and a wide classifier so logits differ
// between pairs by a few units. (Measured with transformers on 40 MS MARCO pairs for seed
// 20251223: logits span about [-3.4, -0.1], std 0.85; with query/key at 0.05 the std was 0.46.)
struct InitScale {
  float center;
  double stddev;
};

InitScale init_scale(TensorRole role) {
  switch (role) {
    case TensorRole::kEmbedding:
      return {0.0f, 0.5};
    case TensorRole::kAttentionScoreWeight:
      return {0.0f, 0.1};
    case TensorRole::kLinearWeight:
      return {0.0f, 0.05};
    case TensorRole::kBias:
      return {0.0f, 0.02};
    case TensorRole::kNormGamma:
      return {1.0f, 0.05};
    case TensorRole::kNormBeta:
      return {0.0f, 0.02};
    case TensorRole::kClassifierWeight:
      return {0.0f, 0.2};
  }
  return {0.0f, 0.0};
}

const char* dtype_name(StoredDtype dtype) {
  switch (dtype) {
    case StoredDtype::kF32:
      return "F32";
    case StoredDtype::kF16:
      return "F16";
    case StoredDtype::kBF16:
      return "BF16";
  }
  return "F32";
}

std::vector<std::byte> encode(const std::vector<float>& values, StoredDtype dtype) {
  std::vector<std::byte> bytes;
  if (dtype == StoredDtype::kF32) {
    bytes.resize(values.size() * sizeof(float));
    std::memcpy(bytes.data(), values.data(), bytes.size());  // little-endian host (static_assert
                                                             // in weight_storage.cc)
    return bytes;
  }
  bytes.resize(values.size() * 2);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::uint16_t bits =
        dtype == StoredDtype::kF16 ? f32_to_f16_bits(values[i]) : f32_to_bf16_bits(values[i]);
    bytes[2 * i] = static_cast<std::byte>(bits & 0xFF);
    bytes[2 * i + 1] = static_cast<std::byte>(bits >> 8);
  }
  return bytes;
}

std::vector<TensorBlob> generate(const RandomModelSpec& spec) {
  RandomStream stream(spec.seed);
  std::vector<TensorBlob> blobs;
  std::vector<float> values;
  for (const TensorSpec& tensor : bert_tensor_specs(spec.config)) {
    values.resize(static_cast<std::size_t>(Tensor{tensor.shape, {}}.numel()));
    const InitScale scale = init_scale(tensor.role);
    stream.fill_uniform(values, scale.center, scale.stddev);
    blobs.push_back({checkpoint_name(tensor, spec.bert_prefix), dtype_name(spec.dtype),
                     tensor.shape, encode(values, spec.dtype)});
  }
  return blobs;
}

Status write_text(const fs::path& path, const std::string& text) {
  const auto temporary = fs::path(path.string() + ".tmp");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return invalid_argument(temporary.string() + ": cannot open for writing");
    out << text;
    out.close();
    if (!out) return invalid_argument(temporary.string() + ": write failed");
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) return invalid_argument(path.string() + ": cannot rename into place: " + ec.message());
  return Status::ok_status();
}

std::string shard_file_name(int index, int count) {
  char name[64];
  std::snprintf(name, sizeof(name), "model-%05d-of-%05d.safetensors", index + 1, count);
  return name;
}

// Assigns tensors to shards in order, cutting near equal byte counts while leaving at least one
// tensor for every remaining shard.
std::vector<int> assign_shards(const std::vector<TensorBlob>& blobs, int shards) {
  std::uint64_t total = 0;
  for (const auto& blob : blobs) total += blob.data.size();
  std::vector<int> shard_of(blobs.size(), 0);
  int current = 0;
  bool current_empty = true;
  std::uint64_t written = 0;
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    const auto remaining = static_cast<std::int64_t>(blobs.size() - i);
    const bool past_target = written * static_cast<std::uint64_t>(shards) >=
                             total * static_cast<std::uint64_t>(current + 1);
    const bool must_advance = remaining <= shards - 1 - current;
    if (!current_empty && current < shards - 1 && (past_target || must_advance)) {
      ++current;
      current_empty = true;
    }
    shard_of[i] = current;
    current_empty = false;
    written += blobs[i].data.size();
  }
  return shard_of;
}

Status write_sharded(const std::vector<TensorBlob>& blobs, int shards, const fs::path& out_dir) {
  const std::vector<int> shard_of = assign_shards(blobs, shards);
  std::uint64_t total = 0;
  std::string weight_map;
  for (int s = 0; s < shards; ++s) {
    std::vector<const TensorBlob*> members;
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      if (shard_of[i] == s) members.push_back(&blobs[i]);
    }
    const std::string file = shard_file_name(s, shards);
    RERANKD_RETURN_IF_ERROR(write_safetensors(out_dir / file, members));
    for (const TensorBlob* blob : members) {
      total += blob->data.size();
      weight_map += weight_map.empty() ? "\n    " : ",\n    ";
      json::append_string(weight_map, blob->name);
      weight_map += ": ";
      json::append_string(weight_map, file);
    }
  }
  const std::string index = "{\n  \"metadata\": {\"total_size\": " + std::to_string(total) +
                            "},\n  \"weight_map\": {" + weight_map + "\n  }\n}\n";
  return write_text(out_dir / kIndexFileName, index);
}

// A rewrite must not leave an old checkpoint the loader would prefer (model.safetensors wins
// over an index) or stale shards.
Status remove_old_checkpoint(const fs::path& out_dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(out_dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool shard = name.starts_with("model-") && name.ends_with(".safetensors");
    if (name == kSingleFileName || name == kIndexFileName || shard) {
      fs::remove(entry.path(), ec);
      if (ec) return invalid_argument(entry.path().string() + ": cannot remove: " + ec.message());
    }
  }
  return Status::ok_status();
}

Status copy_tokenizer_files(const fs::path& tokenizer_dir, const fs::path& out_dir) {
  if (tokenizer_dir.empty()) return Status::ok_status();
  std::error_code ec;
  if (!fs::is_directory(tokenizer_dir, ec)) {
    return not_found(tokenizer_dir.string() + ": tokenizer directory does not exist");
  }
  for (const char* name : kTokenizerFiles) {
    const fs::path source = tokenizer_dir / name;
    if (!fs::exists(source, ec)) continue;
    // The shared data is read-only; remove first and make the copy writable so a later rewrite
    // of the same directory can replace it.
    const fs::path target = out_dir / name;
    fs::remove(target, ec);
    fs::copy_file(source, target, ec);
    if (ec) return invalid_argument(source.string() + ": cannot copy: " + ec.message());
    fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add,
                    ec);
  }
  return Status::ok_status();
}

Status validate(const RandomModelSpec& spec, std::size_t tensor_count) {
  const BertConfig& c = spec.config;
  if (c.vocab_size <= 0 || c.hidden_size <= 0 || c.num_hidden_layers < 0 ||
      c.num_attention_heads <= 0 || c.intermediate_size <= 0 || c.max_position_embeddings <= 0 ||
      c.type_vocab_size <= 0 || c.num_labels <= 0) {
    return invalid_argument("random model: every size in the config must be positive");
  }
  if (c.hidden_size % c.num_attention_heads != 0) {
    return invalid_argument("random model: hidden_size " + std::to_string(c.hidden_size) +
                            " is not divisible by num_attention_heads " +
                            std::to_string(c.num_attention_heads));
  }
  if (spec.shards < 1 || static_cast<std::size_t>(spec.shards) > tensor_count) {
    return invalid_argument("random model: shards is " + std::to_string(spec.shards) +
                            "; it must be between 1 and the tensor count " +
                            std::to_string(tensor_count));
  }
  return Status::ok_status();
}

}  // namespace

BertConfig RandomModelSpec::minilm_l6_h384_config() {
  BertConfig config;
  config.architecture = "BertForSequenceClassification";
  config.vocab_size = 30522;
  config.hidden_size = 384;
  config.num_hidden_layers = 6;
  config.num_attention_heads = 12;
  config.intermediate_size = 1536;
  config.max_position_embeddings = 512;
  config.type_vocab_size = 2;
  config.layer_norm_eps = 1e-12f;
  config.hidden_act = HiddenAct::kGeluErf;
  config.num_labels = 1;
  config.pad_token_id = 0;
  config.score_activation = ScoreActivation::kSigmoid;
  config.score_activation_source = "default for num_labels=1";
  config.random_weights = true;
  return config;
}

Status write_random_model(const RandomModelSpec& spec, const fs::path& out_dir) {
  RERANKD_RETURN_IF_ERROR(validate(spec, bert_tensor_specs(spec.config).size()));
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return invalid_argument(out_dir.string() + ": cannot create: " + ec.message());
  RERANKD_RETURN_IF_ERROR(remove_old_checkpoint(out_dir));

  BertConfig config = spec.config;
  config.random_weights = true;
  RERANKD_RETURN_IF_ERROR(write_text(out_dir / "config.json", hf_config_json(config, kNameOrPath)));

  const std::vector<TensorBlob> blobs = generate(spec);
  if (spec.shards == 1) {
    std::vector<const TensorBlob*> all;
    for (const auto& blob : blobs) all.push_back(&blob);
    RERANKD_RETURN_IF_ERROR(write_safetensors(out_dir / kSingleFileName, all));
  } else {
    RERANKD_RETURN_IF_ERROR(write_sharded(blobs, spec.shards, out_dir));
  }
  return copy_tokenizer_files(spec.tokenizer_dir, out_dir);
}

}  // namespace rerankd::model
