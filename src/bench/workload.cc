#include "bench/workload.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string_view>

#include "common/file.h"

namespace rerankd::bench {
namespace {

constexpr int kDefaultSyntheticRequests = 256;
constexpr std::string_view kMsmarcoFile = "msmarco/dev_small_bm25top20_600q.tsv";
constexpr std::string_view kVocabFile = "bert-base-uncased/vocab.txt";

struct QueryCandidates {
  std::string qid;
  std::string query;
  std::vector<std::string> passages;  // rank order (the file is sorted by qid, then rank)
};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t begin = 0;
  while (true) {
    const std::size_t end = text.find(separator, begin);
    parts.push_back(text.substr(begin, end == std::string_view::npos ? end : end - begin));
    if (end == std::string_view::npos) return parts;
    begin = end + 1;
  }
}

Status positive(int value, const char* field) {
  if (value > 0) return Status::ok_status();
  return invalid_argument(std::string("workload.") + field + ": " + std::to_string(value) +
                          " is not positive");
}

Status check_spec(const WorkloadSpec& spec) {
  if (spec.kind != "msmarco" && spec.kind != "synthetic") {
    return invalid_argument("workload.kind: \"" + spec.kind +
                            "\" is not one of msmarco, synthetic");
  }
  RERANKD_RETURN_IF_ERROR(positive(spec.documents, "documents"));
  if (spec.requests < 0) {
    return invalid_argument("workload.requests: " + std::to_string(spec.requests) + " is negative");
  }
  RERANKD_RETURN_IF_ERROR(positive(spec.passages_per_document, "passages_per_document"));
  if (spec.kind == "msmarco") return Status::ok_status();
  RERANKD_RETURN_IF_ERROR(positive(spec.min_tokens, "min_tokens"));
  RERANKD_RETURN_IF_ERROR(positive(spec.query_tokens, "query_tokens"));
  if (spec.max_tokens < spec.min_tokens) {
    return invalid_argument("workload.max_tokens: " + std::to_string(spec.max_tokens) +
                            " is below min_tokens " + std::to_string(spec.min_tokens));
  }
  if (spec.stddev_tokens < 0) {
    return invalid_argument("workload.stddev_tokens: " + std::to_string(spec.stddev_tokens) +
                            " is negative");
  }
  return Status::ok_status();
}

Result<std::vector<QueryCandidates>> read_msmarco(const std::filesystem::path& file) {
  RERANKD_ASSIGN_OR_RETURN(const std::string text, read_file(file));
  std::vector<QueryCandidates> queries;
  int line_number = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_number;
    if (line.empty()) continue;
    const auto fields = split(line, '\t');
    if (fields.size() != 6) {
      return invalid_argument(file.string() + ":" + std::to_string(line_number) +
                              ": expected 6 tab-separated fields, found " +
                              std::to_string(fields.size()));
    }
    if (queries.empty() || queries.back().qid != fields[0]) {
      queries.push_back({std::string(fields[0]), std::string(fields[4]), {}});
    }
    queries.back().passages.emplace_back(fields[5]);
  }
  if (queries.empty()) return invalid_argument(file.string() + ": no rows");
  return queries;
}

// Request i: query i's candidates, then the following queries' passages (wrapping), until
// `documents` x `passages_per_document` are gathered; each run of passages_per_document
// consecutive passages, joined by a space, is one document.
std::vector<BenchRequest> msmarco_requests(const std::vector<QueryCandidates>& queries,
                                           const WorkloadSpec& spec) {
  const std::size_t count =
      spec.requests > 0 ? static_cast<std::size_t>(spec.requests) : queries.size();
  const auto per_document = static_cast<std::size_t>(spec.passages_per_document);
  const std::size_t passages = static_cast<std::size_t>(spec.documents) * per_document;
  std::vector<BenchRequest> requests(count);
  for (std::size_t i = 0; i < count; ++i) {
    requests[i].query = queries[i % queries.size()].query;
    std::size_t taken = 0;
    for (std::size_t q = i; taken < passages; ++q) {
      for (const auto& passage : queries[q % queries.size()].passages) {
        if (taken == passages) break;
        if (taken % per_document == 0) {
          requests[i].documents.push_back(passage);
        } else {
          requests[i].documents.back().append(" ").append(passage);
        }
        ++taken;
      }
    }
  }
  return requests;
}

bool is_plain_word(std::string_view entry) {
  return !entry.empty() &&
         std::all_of(entry.begin(), entry.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

Result<std::vector<std::string>> read_words(const std::filesystem::path& file) {
  RERANKD_ASSIGN_OR_RETURN(const std::string text, read_file(file));
  std::vector<std::string> words;
  for (std::string_view entry : split(text, '\n')) {
    if (!entry.empty() && entry.back() == '\r') entry.remove_suffix(1);
    if (is_plain_word(entry)) words.emplace_back(entry);
  }
  if (words.empty()) return invalid_argument(file.string() + ": no plain lower-case words");
  return words;
}

// Our own uniform and normal draws over mt19937_64 (whose output the standard fixes), so a
// seed gives the same workload with any standard library; std's distributions are not
// specified bit for bit.
class Draws {
 public:
  explicit Draws(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  std::size_t below(std::size_t n) {
    return static_cast<std::size_t>(uniform() * static_cast<double>(n));
  }
  double normal() {                     // Box-Muller
    const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::mt19937_64 engine_;
};

std::string random_text(Draws& draws, const std::vector<std::string>& words, int count) {
  std::string text;
  for (int i = 0; i < count; ++i) {
    if (i > 0) text += ' ';
    text += words[draws.below(words.size())];
  }
  return text;
}

std::vector<BenchRequest> synthetic_requests(const std::vector<std::string>& words,
                                             const WorkloadSpec& spec) {
  Draws draws(spec.seed);
  const int count = spec.requests > 0 ? spec.requests : kDefaultSyntheticRequests;
  std::vector<BenchRequest> requests(static_cast<std::size_t>(count));
  for (auto& request : requests) {
    request.query = random_text(draws, words, spec.query_tokens);
    for (int d = 0; d < spec.documents; ++d) {
      const double drawn = spec.mean_tokens + spec.stddev_tokens * draws.normal();
      const int length =
          std::clamp(static_cast<int>(std::lround(drawn)), spec.min_tokens, spec.max_tokens);
      request.documents.push_back(random_text(draws, words, length));
    }
  }
  return requests;
}

}  // namespace

Result<std::vector<BenchRequest>> make_workload(const WorkloadSpec& spec,
                                                const std::filesystem::path& data_dir) {
  RERANKD_RETURN_IF_ERROR(check_spec(spec));
  if (spec.kind == "msmarco") {
    RERANKD_ASSIGN_OR_RETURN(const auto queries, read_msmarco(data_dir / kMsmarcoFile));
    return msmarco_requests(queries, spec);
  }
  RERANKD_ASSIGN_OR_RETURN(const auto words, read_words(data_dir / kVocabFile));
  return synthetic_requests(words, spec);
}

}  // namespace rerankd::bench
