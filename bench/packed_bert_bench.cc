// The cpu backend's whole forward pass (PackedBert) on a model directory, model only: batches of
// `--pairs` pairs of `--length` tokens each, for each `--tokens-per-pass` given, side by side in
// one run (alternating rounds, so drift in the machine hits every setting alike). Prints pairs/s
// per setting and the bytes its arenas reserve.
// Usage: packed_bert_bench --model DIR [--pairs 64] [--length 256] [--threads 2]
//                          [--dtype fp32|bf16|int8] [--rounds 5] [--seconds 2]
//                          [--tokens-per-pass 2048,1000000]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "backend/cpu/packed_bert.h"
#include "model/bert_model.h"

namespace {

using rerankd::backend::PackedBatch;
using rerankd::backend::cpu::PackedBert;
using rerankd::backend::cpu::Precision;

struct Options {
  std::string model;
  int pairs = 64;
  int length = 256;
  int threads = 2;
  std::string dtype = "fp32";
  int rounds = 5;
  double seconds = 2.0;
  std::vector<std::size_t> tokens_per_pass = {rerankd::backend::cpu::kTokensPerPass, 1000000};
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--model") options.model = value;
    if (flag == "--pairs") options.pairs = std::atoi(value.c_str());
    if (flag == "--length") options.length = std::atoi(value.c_str());
    if (flag == "--threads") options.threads = std::atoi(value.c_str());
    if (flag == "--dtype") options.dtype = value;
    if (flag == "--rounds") options.rounds = std::atoi(value.c_str());
    if (flag == "--seconds") options.seconds = std::atof(value.c_str());
    if (flag == "--tokens-per-pass") {
      options.tokens_per_pass.clear();
      std::stringstream list(value);
      for (std::string item; std::getline(list, item, ',');) {
        options.tokens_per_pass.push_back(std::strtoull(item.c_str(), nullptr, 10));
      }
    }
  }
  return options;
}

Precision precision_of(std::string_view dtype) {
  if (dtype == "bf16") return Precision::kBf16;
  if (dtype == "int8") return Precision::kInt8;
  return Precision::kFp32;
}

// Pairs of `length` tokens: [CLS] (id 101), ids drawn from a fixed pattern, token types 0 then 1.
PackedBatch make_batch(int pairs, int length, std::int64_t vocab) {
  PackedBatch batch;
  std::int64_t next = 1000;
  for (int pair = 0; pair < pairs; ++pair) {
    std::vector<std::int32_t> ids{101};
    std::vector<std::int32_t> types{0};
    for (int i = 1; i < length; ++i) {
      next = (next * 31 + 7) % (vocab - 1000) + 1000;
      ids.push_back(static_cast<std::int32_t>(next));
      types.push_back(i < length / 4 ? 0 : 1);
    }
    batch.add(ids, types);
  }
  return batch;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  if (options.model.empty()) {
    std::fprintf(stderr, "usage: packed_bert_bench --model DIR [options]; see the source\n");
    return 2;
  }
  auto model = rerankd::model::BertModel::load(options.model);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().to_string().c_str());
    return 1;
  }
  const auto& config = (*model)->config();
  std::vector<std::unique_ptr<PackedBert>> berts;
  for (const std::size_t tokens : options.tokens_per_pass) {
    auto bert = PackedBert::create(config, (*model)->weights(), precision_of(options.dtype),
                                   options.threads, tokens);
    if (!bert.ok()) {
      std::fprintf(stderr, "%s\n", bert.status().to_string().c_str());
      return 1;
    }
    berts.push_back(std::move(*bert));
  }
  const PackedBatch batch = make_batch(options.pairs, options.length, config.vocab_size);
  for (auto& bert : berts) {
    if (!bert->run(batch).ok()) return 1;  // warm-up
  }
  std::vector<double> pairs_done(berts.size(), 0.0);
  std::vector<double> seconds_spent(berts.size(), 0.0);
  using Clock = std::chrono::steady_clock;
  for (int round = 0; round < options.rounds; ++round) {
    for (std::size_t b = 0; b < berts.size(); ++b) {
      const auto start = Clock::now();
      double elapsed = 0.0;
      while (elapsed < options.seconds) {
        if (!berts[b]->run(batch).ok()) return 1;
        pairs_done[b] += options.pairs;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      }
      seconds_spent[b] += elapsed;
    }
  }
  std::printf("%d pairs of %d tokens, %d threads, %s, %d rounds of %.1f s\n", options.pairs,
              options.length, options.threads, options.dtype.c_str(), options.rounds,
              options.seconds);
  for (std::size_t b = 0; b < berts.size(); ++b) {
    std::printf("tokens_per_pass %zu: %.1f pairs/s, arenas %.1f MiB\n", options.tokens_per_pass[b],
                pairs_done[b] / seconds_spent[b],
                static_cast<double>(berts[b]->workspace_bytes()) / (1024.0 * 1024.0));
  }
  return 0;
}
