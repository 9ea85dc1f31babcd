// Helpers shared by the model tests: a tiny BERT config and hand-built safetensors bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "model/bert_config.h"
#include "model/random_model.h"

namespace rerankd::model::testing {

// hidden 32, 2 layers, 4 heads, vocab 100: a full checkpoint of a few kB.
inline BertConfig tiny_config() {
  BertConfig config = RandomModelSpec::minilm_l6_h384_config();
  config.vocab_size = 100;
  config.hidden_size = 32;
  config.num_hidden_layers = 2;
  config.num_attention_heads = 4;
  config.intermediate_size = 64;
  config.max_position_embeddings = 40;
  return config;
}

inline RandomModelSpec tiny_spec() {
  RandomModelSpec spec;
  spec.config = tiny_config();
  return spec;
}

// 8-byte little-endian length + header + data, as a string of bytes.
inline std::string safetensors_bytes(std::string_view header, std::string_view data) {
  std::string out(8, '\0');
  std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(n & 0xFF);
    n >>= 8;
  }
  out += header;
  out += data;
  return out;
}

inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace rerankd::model::testing
