// How many tokens of each side of a pair survive truncation, exactly as Hugging Face
// `tokenizers` computes it (utils/truncation.rs, truncate_encodings).
#pragma once

#include <cstddef>

#include "common/result.h"
#include "text/tokenizer.h"

namespace rerankd::text {

struct PairLengths {
  std::size_t first = 0;   // query tokens kept
  std::size_t second = 0;  // document tokens kept
};

// `budget` is max_length minus the special tokens the template adds. Errors: OutOfRange for
// kNone when first + second > budget, and for kOnlySecond when cutting the document alone
// cannot fit (HF's "Sequence to truncate too short").
Result<PairLengths> truncate_pair(std::size_t first, std::size_t second, std::size_t budget,
                                  Truncation strategy);

}  // namespace rerankd::text
