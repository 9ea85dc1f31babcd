#include "model/weight_storage.h"

#include <simdjson.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <utility>

#include "common/finite.h"
#include "model/dtype_convert.h"

namespace rerankd::model {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; F32 tensors are used in place");

namespace dom = simdjson::dom;

std::vector<std::string> candidate_names(const TensorSpec& spec) {
  std::vector<std::string> names;
  const std::string prefixed = std::string(spec.encoder_prefix) + spec.name;
  if (spec.in_encoder) {
    names = {prefixed, spec.name};
  } else {
    names = {spec.name, prefixed};
  }
  // Old TF-converted checkpoints name LayerNorm parameters gamma/beta; transformers renames them
  // on load (modeling_utils.py, _fix_state_dict_key_on_load), so accept them too.
  const auto replace_suffix = [&](const std::string& from, const std::string& to) {
    const std::size_t count = names.size();
    for (std::size_t i = 0; i < count; ++i) {
      const std::string& name = names[i];
      if (name.size() > from.size() && name.ends_with(from)) {
        names.push_back(name.substr(0, name.size() - from.size()) + to);
      }
    }
  };
  if (spec.role == TensorRole::kNormGamma) replace_suffix(".weight", ".gamma");
  if (spec.role == TensorRole::kNormBeta) replace_suffix(".bias", ".beta");
  return names;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += "\"" + names[i] + "\"";
  }
  return out;
}

// A shard file name from the index must be a plain file name in the model directory.
bool is_plain_file_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         name.find('\\') == std::string_view::npos;
}

}  // namespace

Result<std::unique_ptr<WeightStorage>> WeightStorage::open(const std::filesystem::path& dir) {
  std::unique_ptr<WeightStorage> storage(new WeightStorage());
  std::error_code ec;
  const auto single = dir / kSingleFileName;
  const auto index = dir / kIndexFileName;
  // An unreadable model.safetensors (a symlink loop) is its own error, not "try the index".
  RERANKD_ASSIGN_OR_RETURN(const bool has_single, file_is_present(single));
  RERANKD_ASSIGN_OR_RETURN(const bool has_index,
                           has_single ? Result<bool>(false) : file_is_present(index));
  if (has_single) {
    RERANKD_RETURN_IF_ERROR(storage->open_single(single));
  } else if (has_index) {
    RERANKD_RETURN_IF_ERROR(storage->open_sharded(dir, index));
  } else {
    std::string message = dir.string() + ": no " + kSingleFileName + " or " + kIndexFileName;
    if (std::filesystem::exists(dir / "pytorch_model.bin", ec)) {
      message += " (pytorch_model.bin is there, but rerankd reads only safetensors)";
    }
    return not_found(std::move(message));
  }
  return storage;
}

Result<std::size_t> WeightStorage::add_shard(const std::filesystem::path& path) {
  RERANKD_ASSIGN_OR_RETURN(MappedFile file, MappedFile::open(path));
  RERANKD_ASSIGN_OR_RETURN(SafetensorsHeader header,
                           parse_safetensors(file.bytes(), path.string()));
  shards_.push_back({std::move(file), std::move(header)});
  return shards_.size() - 1;
}

Status WeightStorage::open_single(const std::filesystem::path& path) {
  source_name_ = path.filename().string();
  RERANKD_ASSIGN_OR_RETURN(const std::size_t shard, add_shard(path));
  for (const auto& [name, entry] : shards_[shard].header.tensors) shard_of_.emplace(name, shard);
  return Status::ok_status();
}

Status WeightStorage::open_sharded(const std::filesystem::path& dir,
                                   const std::filesystem::path& index_path) {
  source_name_ = index_path.filename().string();
  const std::string where = index_path.string();
  RERANKD_ASSIGN_OR_RETURN(const std::string text, read_file(index_path));
  dom::parser parser;
  dom::element root;
  if (const auto error = parser.parse(text).get(root); error != simdjson::SUCCESS) {
    return data_loss(where + ": invalid JSON: " + simdjson::error_message(error));
  }
  dom::object weight_map;
  if (root["weight_map"].get(weight_map) != simdjson::SUCCESS) {
    return data_loss(where + ": no \"weight_map\" object");
  }
  std::map<std::string, std::size_t, std::less<>> shard_by_file;
  for (auto field : weight_map) {
    std::string_view file_name;
    if (field.value.get(file_name) != simdjson::SUCCESS || !is_plain_file_name(file_name)) {
      return data_loss(where + ": weight_map entry \"" + std::string(field.key) +
                       "\" is not a file name in the model directory");
    }
    auto found = shard_by_file.find(file_name);
    if (found == shard_by_file.end()) {
      RERANKD_ASSIGN_OR_RETURN(const std::size_t shard, add_shard(dir / file_name));
      found = shard_by_file.emplace(std::string(file_name), shard).first;
    }
    const Shard& shard = shards_[found->second];
    if (!shard.header.tensors.contains(field.key)) {
      return data_loss(where + ": weight_map puts \"" + std::string(field.key) + "\" in " +
                       std::string(file_name) + ", which has no such tensor");
    }
    shard_of_.emplace(std::string(field.key), found->second);
  }
  if (shards_.empty()) return data_loss(where + ": weight_map is empty");
  return Status::ok_status();
}

Result<WeightStorage::Location> WeightStorage::find(const TensorSpec& spec) const {
  const std::vector<std::string> names = candidate_names(spec);
  for (const auto& name : names) {
    if (const auto found = shard_of_.find(name); found != shard_of_.end()) {
      return Location{found->second, name};
    }
  }
  return not_found(checkpoint_name() + ": missing tensor \"" + names.front() + "\" (looked for " +
                   quoted_list(names) + ")");
}

Result<Tensor> WeightStorage::tensor(const TensorSpec& spec) {
  RERANKD_ASSIGN_OR_RETURN(const Location location, find(spec));
  const Shard& shard = shards_[location.shard];
  const SafetensorsEntry& entry = shard.header.tensors.find(location.name)->second;
  const std::string where = shard.file.path().string() + ": tensor \"" + location.name + "\"";
  if (entry.shape != spec.shape) {
    return failed_precondition(where + " has shape " + shape_to_string(entry.shape) +
                               " but config.json implies " + shape_to_string(spec.shape));
  }
  Tensor tensor;
  tensor.shape = entry.shape;
  const auto numel = static_cast<std::size_t>(tensor.numel());
  const std::byte* data = shard.file.bytes().data() + shard.header.data_start + entry.begin;
  const std::span<const std::byte> bytes(data, entry.end - entry.begin);

  if (entry.dtype == "F32") {
    if (reinterpret_cast<std::uintptr_t>(data) % alignof(float) == 0) {
      tensor.data = {reinterpret_cast<const float*>(data), numel};
    } else {
      std::vector<float>& buffer = converted_.emplace_back(numel);
      std::memcpy(buffer.data(), data, numel * sizeof(float));
      tensor.data = buffer;
    }
  } else if (entry.dtype == "F16" || entry.dtype == "BF16") {
    std::vector<float>& buffer = converted_.emplace_back(numel);
    if (entry.dtype == "F16") {
      f16_bytes_to_f32(bytes, buffer);
    } else {
      bf16_bytes_to_f32(bytes, buffer);
    }
    tensor.data = buffer;
  } else {
    return unimplemented(where + " has dtype " + entry.dtype + "; rerankd reads F32, F16 and BF16");
  }
  // transformers would load NaN weights and answer NaN for every pair; say so now instead.
  if (const std::size_t bad = first_non_finite(tensor.data); bad != kAllFinite) {
    return data_loss(where + " holds a non-finite value (" + std::to_string(tensor.data[bad]) +
                     ") at element " + std::to_string(bad));
  }
  dtypes_used_.insert(entry.dtype);
  ++tensors_used_;
  parameters_used_ += tensor.numel();
  return tensor;
}

std::string WeightStorage::checkpoint_name() const {
  return shards_.size() == 1 ? shards_.front().file.path().string() : source_name_;
}

std::int64_t WeightStorage::encoder_layer_count() const {
  constexpr std::string_view kLayer = "encoder.layer.";
  std::int64_t count = 0;
  for (const auto& entry : shard_of_) {
    const std::string_view name = entry.first;
    const std::size_t at = name.find(kLayer);
    if (at == std::string_view::npos) continue;
    std::int64_t index = 0;
    std::size_t digits = 0;
    for (std::size_t i = at + kLayer.size(); i < name.size() && digits < 9; ++i, ++digits) {
      if (name[i] < '0' || name[i] > '9') break;
      index = index * 10 + (name[i] - '0');
    }
    if (digits > 0) count = std::max(count, index + 1);
  }
  return count;
}

std::string WeightStorage::description() const {
  std::string dtypes;
  for (const auto& dtype : dtypes_used_) dtypes += (dtypes.empty() ? "" : "+") + dtype;
  char parameters[32];
  std::snprintf(parameters, sizeof(parameters), "%.1fM",
                static_cast<double>(parameters_used_) / 1e6);
  return source_name_ + " (" + (dtypes.empty() ? std::string("no tensors") : dtypes) + ", " +
         std::to_string(shards_.size()) + (shards_.size() == 1 ? " file, " : " files, ") +
         std::to_string(tensors_used_) + " tensors, " + parameters + " parameters)";
}

}  // namespace rerankd::model
