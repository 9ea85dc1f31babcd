#include "model/safetensors.h"

#include <simdjson.h>

#include <algorithm>
#include <limits>
#include <utility>

namespace rerankd::model {
namespace {

namespace dom = simdjson::dom;

// Mirrors the reference reader's cap on header size (100 MB) so a corrupt length can't make us
// copy a huge buffer into the JSON parser.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

struct EntryContext {
  std::string_view file;
  std::string_view name;

  Status error(const std::string& problem) const {
    return data_loss(std::string(file) + ": tensor \"" + std::string(name) + "\": " + problem);
  }
};

Result<SafetensorsEntry> parse_entry(dom::element value, const EntryContext& context) {
  dom::object object;
  if (value.get(object) != simdjson::SUCCESS) return context.error("entry is not a JSON object");
  SafetensorsEntry entry;

  std::string_view dtype;
  if (object["dtype"].get(dtype) != simdjson::SUCCESS) {
    return context.error("missing or non-string \"dtype\"");
  }
  entry.dtype = std::string(dtype);

  dom::array shape;
  if (object["shape"].get(shape) != simdjson::SUCCESS) {
    return context.error("missing or non-array \"shape\"");
  }
  std::uint64_t numel = 1;
  bool numel_overflow = false;
  for (dom::element dim : shape) {
    std::uint64_t d = 0;
    if (dim.get(d) != simdjson::SUCCESS) {
      return context.error("shape holds a value that is not a non-negative integer");
    }
    if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return context.error("shape dimension " + std::to_string(d) + " is too large");
    }
    if (d != 0 && numel > std::numeric_limits<std::uint64_t>::max() / d) numel_overflow = true;
    numel *= d;
    entry.shape.push_back(static_cast<std::int64_t>(d));
  }

  dom::array offsets;
  if (object["data_offsets"].get(offsets) != simdjson::SUCCESS || offsets.size() != 2) {
    return context.error("\"data_offsets\" is not an array of two integers");
  }
  if (offsets.at(0).get(entry.begin) != simdjson::SUCCESS ||
      offsets.at(1).get(entry.end) != simdjson::SUCCESS) {
    return context.error("\"data_offsets\" is not an array of two non-negative integers");
  }
  if (entry.begin > entry.end) {
    return context.error("data_offsets [" + std::to_string(entry.begin) + ", " +
                         std::to_string(entry.end) + "] end before they begin");
  }

  const std::size_t item_size = safetensors_dtype_size(entry.dtype);
  if (item_size != 0) {
    const std::uint64_t bytes = entry.end - entry.begin;
    if (numel_overflow || numel > std::numeric_limits<std::uint64_t>::max() / item_size ||
        numel * item_size != bytes) {
      return context.error(
          "data_offsets span " + std::to_string(bytes) + " bytes but shape " + "of " +
          std::to_string(numel) + " " + entry.dtype + " elements needs " +
          (numel_overflow ? std::string("more than 2^64") : std::to_string(numel * item_size)));
    }
  }
  return entry;
}

Status parse_metadata(dom::element value, std::string_view file, SafetensorsHeader& header) {
  dom::object object;
  if (value.get(object) != simdjson::SUCCESS) {
    return data_loss(std::string(file) + ": \"__metadata__\" is not a JSON object");
  }
  for (auto field : object) {
    std::string_view text;
    if (field.value.get(text) != simdjson::SUCCESS) {
      return data_loss(std::string(file) + ": \"__metadata__\" value of \"" +
                       std::string(field.key) + "\" is not a string");
    }
    header.metadata.emplace(std::string(field.key), std::string(text));
  }
  return Status::ok_status();
}

Status check_ranges(const SafetensorsHeader& header, std::uint64_t data_size,
                    std::string_view file) {
  std::vector<std::pair<const std::string*, const SafetensorsEntry*>> order;
  order.reserve(header.tensors.size());
  for (const auto& [name, entry] : header.tensors) {
    if (entry.end > data_size) {
      return data_loss(std::string(file) + ": tensor \"" + name + "\": data_offsets [" +
                       std::to_string(entry.begin) + ", " + std::to_string(entry.end) +
                       "] run past the end of the data section (" + std::to_string(data_size) +
                       " bytes); the file may be truncated");
    }
    order.emplace_back(&name, &entry);
  }
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.second->begin < b.second->begin; });
  for (std::size_t i = 1; i < order.size(); ++i) {
    const auto& previous = order[i - 1];
    const auto& current = order[i];
    if (current.second->begin < previous.second->end) {
      return data_loss(std::string(file) + ": tensors \"" + *previous.first + "\" and \"" +
                       *current.first + "\" have overlapping data_offsets");
    }
  }
  return Status::ok_status();
}

}  // namespace

std::size_t safetensors_dtype_size(std::string_view dtype) {
  static constexpr std::pair<std::string_view, std::size_t> kSizes[] = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1},
      {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},
      {"U32", 4},  {"F32", 4}, {"F64", 8}, {"I64", 8},     {"U64", 8}};
  for (const auto& [name, size] : kSizes) {
    if (name == dtype) return size;
  }
  return 0;
}

Result<SafetensorsHeader> parse_safetensors(std::span<const std::byte> bytes,
                                            std::string_view file) {
  const std::string where(file);
  if (bytes.size() < 8) {
    return data_loss(where + ": " + std::to_string(bytes.size()) +
                     " bytes is too short for a safetensors file (needs an 8-byte header length)");
  }
  std::uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i)
    header_size = (header_size << 8) | static_cast<std::uint8_t>(bytes[i]);
  const std::uint64_t available = bytes.size() - 8;
  if (header_size > available) {
    return data_loss(where + ": header length " + std::to_string(header_size) +
                     " is beyond the file size (" + std::to_string(bytes.size()) +
                     " bytes); the file is truncated or not safetensors");
  }
  if (header_size > kMaxHeaderBytes) {
    return data_loss(where + ": header length " + std::to_string(header_size) +
                     " exceeds the 100 MB limit");
  }

  const auto* header_chars = reinterpret_cast<const char*>(bytes.data() + 8);
  const simdjson::padded_string json(header_chars, static_cast<std::size_t>(header_size));
  dom::parser parser;
  dom::element root;
  if (const auto error = parser.parse(json).get(root); error != simdjson::SUCCESS) {
    return data_loss(where + ": header is not valid JSON: " + simdjson::error_message(error));
  }
  dom::object object;
  if (root.get(object) != simdjson::SUCCESS) {
    return data_loss(where + ": header is not a JSON object");
  }

  SafetensorsHeader header;
  header.data_start = 8 + header_size;
  for (auto field : object) {
    if (field.key == "__metadata__") {
      RERANKD_RETURN_IF_ERROR(parse_metadata(field.value, file, header));
      continue;
    }
    RERANKD_ASSIGN_OR_RETURN(SafetensorsEntry entry,
                             parse_entry(field.value, EntryContext{file, field.key}));
    if (!header.tensors.emplace(std::string(field.key), std::move(entry)).second) {
      return data_loss(where + ": tensor \"" + std::string(field.key) + "\" appears twice");
    }
  }
  RERANKD_RETURN_IF_ERROR(check_ranges(header, available - header_size, file));
  return header;
}

}  // namespace rerankd::model
