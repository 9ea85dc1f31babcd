#include "text/unigram.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace rerankd::text {
namespace {

// tokenizers' K_UNK_PENALTY.
constexpr double kUnknownPenalty = 10.0;

std::size_t code_point_length(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

}  // namespace

Result<Unigram> Unigram::create(const Vocab& vocab, UnigramOptions options) {
  if (options.unk_id < 0 || options.unk_id >= vocab.size()) {
    return invalid_argument("Unigram model needs unk_id inside its vocabulary of " +
                            std::to_string(vocab.size()) + " pieces");
  }
  if (options.scores.size() != static_cast<std::size_t>(vocab.size())) {
    return invalid_argument("Unigram model has " + std::to_string(options.scores.size()) +
                            " scores for " + std::to_string(vocab.size()) + " pieces");
  }
  Unigram model;
  model.vocab_ = &vocab;
  double min_score = std::numeric_limits<double>::infinity();
  for (std::int32_t id = 0; id < vocab.size(); ++id) {
    const std::string_view piece = vocab.token(id);
    // Like the HashMap HF builds: a repeated piece resolves to its last id, whose score counts.
    model.trie_.insert(piece, vocab.find(piece));
    min_score = std::min(min_score, options.scores[static_cast<std::size_t>(id)]);
  }
  model.unk_score_ = min_score - kUnknownPenalty;
  for (int byte = 0; byte < 256; ++byte) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", byte);
    model.byte_ids_[byte] = vocab.find(name);
  }
  model.options_ = std::move(options);
  return model;
}

void Unigram::push_unknown(std::string_view text, std::size_t end, std::vector<std::int32_t>& ids,
                           std::vector<std::size_t>* ends) const {
  // A fused unknown run is looked up as a whole, as HF does; it is in the vocabulary only by
  // accident of the training data, but then that id is what HF gives.
  const std::int32_t id = vocab_->find(text);
  if (id >= 0) {
    ids.push_back(id);
    if (ends) ends->push_back(end);
    return;
  }
  if (options_.byte_fallback) {
    const bool all_present = std::all_of(text.begin(), text.end(), [this](char c) {
      return byte_ids_[static_cast<unsigned char>(c)] >= 0;
    });
    if (all_present) {
      // Every byte token spans the whole run, as HF's offsets do.
      for (const char c : text) {
        ids.push_back(byte_ids_[static_cast<unsigned char>(c)]);
        if (ends) ends->push_back(end);
      }
      return;
    }
  }
  ids.push_back(options_.unk_id);
  if (ends) ends->push_back(end);
}

void Unigram::tokenize_word(std::string_view word, std::vector<std::int32_t>& ids,
                            std::vector<std::size_t>* ends) const {
  if (word.empty()) return;
  struct Best {
    double score = 0;
    std::int32_t id = -1;
    std::int32_t start = -1;  // -1: no path ends here yet
  };
  thread_local std::vector<Best> best;
  best.assign(word.size() + 1, Best{});
  const std::vector<double>& scores = options_.scores;
  for (std::size_t start = 0; start < word.size();) {
    const double here = best[start].score;
    const std::size_t char_length = code_point_length(static_cast<unsigned char>(word[start]));
    bool covers_char = false;
    const auto offer = [&](std::size_t end, std::int32_t id, double score) {
      Best& target = best[end];
      const double candidate = score + here;
      // Strictly greater: on a tie the path found first, from the earlier start, stays.
      if (target.start < 0 || candidate > target.score) {
        target = {candidate, id, static_cast<std::int32_t>(start)};
      }
    };
    trie_.for_each_prefix(word.substr(start), [&](std::size_t length, std::int32_t id) {
      offer(start + length, id, scores[static_cast<std::size_t>(id)]);
      if (length == char_length) covers_char = true;
    });
    if (!covers_char) offer(start + char_length, options_.unk_id, unk_score_);
    start += char_length;
  }
  // Walk back from the end; unknown pieces next to each other fuse into one.
  thread_local std::vector<std::pair<std::size_t, std::int32_t>> path;  // (start, id), reversed
  path.clear();
  for (std::size_t end = word.size(); end > 0;) {
    const Best& node = best[end];
    path.emplace_back(static_cast<std::size_t>(node.start), node.id);
    end = static_cast<std::size_t>(node.start);
  }
  for (std::size_t i = path.size(); i-- > 0;) {
    const auto [start, id] = path[i];
    const std::size_t next = i == 0 ? word.size() : path[i - 1].first;
    if (id != options_.unk_id) {
      ids.push_back(id);
      if (ends) ends->push_back(next);
      continue;
    }
    std::size_t run_end = next;
    while (i > 0 && path[i - 1].second == options_.unk_id) {
      --i;
      run_end = i == 0 ? word.size() : path[i - 1].first;
    }
    push_unknown(word.substr(start, run_end - start), run_end, ids, ends);
  }
}

}  // namespace rerankd::text
