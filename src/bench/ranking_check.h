// The check both targets make on an answer: a full ranking names every document exactly once.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace rerankd::bench {

// "" when `indices` holds each of 0..documents-1 exactly once; otherwise what is wrong.
inline std::string ranking_problem(const std::vector<std::size_t>& indices, std::size_t documents) {
  if (indices.size() != documents) {
    return std::to_string(indices.size()) + " results for " + std::to_string(documents) +
           " documents";
  }
  std::vector<bool> seen(documents, false);
  for (const std::size_t index : indices) {
    if (index >= documents) return "index " + std::to_string(index) + " is out of range";
    if (seen[index]) return "index " + std::to_string(index) + " appears twice";
    seen[index] = true;
  }
  return "";
}

}  // namespace rerankd::bench
