// Tokenizer throughput on the MS MARCO sample: every pair encoded one at a time on one thread,
// the way the server tokenizes requests.
// Usage: tokenizer_bench [--data DIR] [--loader tokenizer_json|vocab_txt] [--rounds N]
//                        [--tokenizer FILE]   (a tokenizer.json instead of bert-base-uncased's,
//                                              e.g. tests/fixtures/xlmr_tokenizer/tokenizer.json)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "text/tokenizer.h"

namespace {

struct Pair {
  std::string query;
  std::string passage;
};

bool load_pairs(const std::string& path, std::vector<Pair>& pairs) {
  std::ifstream in(path);
  if (!in) return false;
  for (std::string line; std::getline(in, line);) {
    // qid, pid, rank, label, query, passage
    std::size_t start = 0;
    std::vector<std::string_view> fields;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      fields.emplace_back(line.data() + start, tab - start);
    }
    fields.emplace_back(line.data() + start, line.size() - start);
    if (fields.size() != 6) return false;
    pairs.push_back({std::string(fields[4]), std::string(fields[5])});
  }
  return !pairs.empty();
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = RERANKD_DEFAULT_DATA_DIR;
  if (const char* env = std::getenv("RERANKD_DATA_DIR")) data = env;
  std::string loader = "tokenizer_json";
  std::string tokenizer_file;
  int rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--data")
      data = argv[i + 1];
    else if (flag == "--loader")
      loader = argv[i + 1];
    else if (flag == "--rounds")
      rounds = std::atoi(argv[i + 1]);
    else if (flag == "--tokenizer")
      tokenizer_file = argv[i + 1];
  }
  const std::string model = data + "/bert-base-uncased";
  if (!tokenizer_file.empty()) loader = tokenizer_file;
  auto tokenizer = !tokenizer_file.empty()
                       ? rerankd::text::Tokenizer::from_tokenizer_json(tokenizer_file)
                   : loader == "vocab_txt"
                       ? rerankd::text::Tokenizer::from_vocab_txt(model + "/vocab.txt",
                                                                  model + "/tokenizer_config.json")
                       : rerankd::text::Tokenizer::from_tokenizer_json(model + "/tokenizer.json");
  if (!tokenizer.ok()) {
    std::fprintf(stderr, "tokenizer_bench: %s\n", tokenizer.status().to_string().c_str());
    return 1;
  }
  std::vector<Pair> pairs;
  const std::string tsv = data + "/msmarco/dev_small_bm25top20_600q.tsv";
  if (!load_pairs(tsv, pairs)) {
    std::fprintf(stderr, "tokenizer_bench: cannot read %s\n", tsv.c_str());
    return 1;
  }

  const rerankd::text::TokenizeOptions options;  // longest_first, 512
  rerankd::text::Encoding encoding;
  const auto run_round = [&]() -> long long {
    long long tokens = 0;
    for (const Pair& pair : pairs) {
      if (!tokenizer->encode_pair(pair.query, pair.passage, options, encoding).ok()) return -1;
      tokens += static_cast<long long>(encoding.size());
    }
    return tokens;
  };
  if (run_round() < 0) {  // warm-up: grows the reused buffers, faults in the vocab
    std::fprintf(stderr, "tokenizer_bench: encode failed\n");
    return 1;
  }
  double best_s = 1e30;
  long long tokens = 0;
  for (int r = 0; r < rounds; ++r) {
    const auto start = std::chrono::steady_clock::now();
    tokens = run_round();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    if (elapsed.count() < best_s) best_s = elapsed.count();
  }
  // Best of the rounds: the least disturbed by other processes on a shared machine.
  std::printf(
      "rerankd tokenizer (%s): %zu pairs, %lld tokens, best of %d rounds %.3f s: "
      "%.0f pairs/s, %.0f tokens/s\n",
      loader.c_str(), pairs.size(), tokens, rounds, best_s,
      static_cast<double>(pairs.size()) / best_s, static_cast<double>(tokens) / best_s);
  return 0;
}
